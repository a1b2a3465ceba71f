fn main() {
    std::process::exit(seance::tool::unstage::main())
}
