fn main() {
    std::process::exit(seance::tool::grep::main())
}
