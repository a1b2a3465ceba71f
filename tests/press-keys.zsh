# Types keys into a real interactive shell on a pseudo-terminal (zsh's zpty module) and waits
# for the terminal to show a text. $SHELL_CMD starts the shell, $SETUP is typed first; $1 is
# the keys (control characters included), $2 the text to wait for. Prints "ok", or "FAIL" and
# what the terminal showed.
zmodload zsh/zpty || exit 3
zpty z "$SHELL_CMD"
out=''
read_until() {
    local chunk
    integer i
    for i in {1..${TRIES:-400}}; do
        if zpty -r -t z chunk; then out+=$chunk; else sleep 0.025; fi
        [[ $out == *"$1"* ]] && return 0
    done
    return 1
}
zpty -w z "$SETUP; ${READY_CMD:-echo READY\$((1+1))}"
read_until READY2 || { print -r -- "FAIL setup: ${(q+)out}"; exit 4 }
out=''
zpty -w -n z "$1"
if read_until "$2"; then print -r -- ok; else print -r -- "FAIL: ${(q+)out}"; fi
zpty -d z
