# Presses Tab in a real interactive shell on a pseudo-terminal (zsh's zpty module). $SHELL_CMD
# starts the shell and $SETUP is typed first; then each pair of arguments is a line to type
# before a Tab and the words the terminal must show after it (space-separated). Prints one
# line per pair: "ok LINE", or "FAIL LINE" and what the terminal showed.
zmodload zsh/zpty || exit 3
zpty z "$SHELL_CMD"
out=''
read_until() {
    local chunk want
    integer i
    for i in {1..${TAB_TRIES:-400}}; do
        if zpty -r -t z chunk; then out+=$chunk; else sleep 0.025; fi
        for want in "$@"; do [[ $out == *"$want"* ]] || continue 2; done
        return 0
    done
    return 1
}
zpty -w z "$SETUP; echo READY\$((1+1))"
read_until READY2 || { print -r -- "FAIL setup: $out"; exit 4 }
integer n=1000
while (( $# >= 2 )); do
    line=$1; words=(${=2}); shift 2; (( n++ )); out=''
    zpty -w -n z "$line"$'\t'
    if read_until $words; then print -r -- "ok $line"; else print -r -- "FAIL $line: ${(q+)out}"; fi
    out=''
    zpty -w -n z $'\x15'"echo DONE\$(($n))"$'\n'
    read_until DONE$n || { print -r -- "FAIL reset after $line: $out"; exit 4 }
done
zpty -d z
