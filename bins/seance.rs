fn main() {
    std::process::exit(seance::tool::wrapper::main())
}
