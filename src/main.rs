fn main() {
    std::process::exit(redis_preflight::cli::main());
}
