fn main() {
    std::process::exit(seance::tool::filter::main())
}
