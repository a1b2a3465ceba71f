fn main() {
    std::process::exit(seance::tool::events::main())
}
