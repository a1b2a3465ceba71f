fn main() {
    std::process::exit(seance::tool::show::main())
}
