fn main() {
    std::process::exit(seance::tool::sessions::main())
}
