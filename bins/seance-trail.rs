fn main() {
    std::process::exit(seance::tool::trail::main())
}
