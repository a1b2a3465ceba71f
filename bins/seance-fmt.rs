fn main() {
    std::process::exit(seance::tool::fmt::main())
}
