fn main() {
    std::process::exit(seance::tool::gc::main())
}
