fn main() {
    std::process::exit(seance::tool::stage::main())
}
