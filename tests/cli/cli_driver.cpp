// The command-line tests' own orrery binary: the CLI with the domain-free hello
// example and the clitest steps registered (no astronomy layer).

#include "hello_io.hpp"  // product_traits for std::string and the hello types; registers hello

#include "cli_test_steps.hpp"

#include "orrery/cli.hpp"

int main(int argc, char** argv) {
    orrery::cli::register_layer({"clitest", orrery::version_string, "command-line test steps"});
    return orrery::cli::main(argc, argv);
}
