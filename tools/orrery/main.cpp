// The orrery command-line tool (build/bin/orrery; build/bin/strun is a link to
// it and behaves as `orrery strun`). The tool is the plug-in layers it ships
// plus orrery::cli::main; see docs/cli.md.

// TODO(jwst): include "orrery/jwst.hpp" here once the astronomy layer's umbrella
// header exists (it registers the detector1 steps, calwebb_detector1 and the
// product_traits that read _uncal files and write _rate/_rateints), and call
// orrery::cli::register_layer({"jwst", <version>, ...}) in main().
// Until then the tool ships the domain-free hello example so that it is usable.
#include "hello_io.hpp"

#include "orrery/cli/main.hpp"

int main(int argc, char** argv) {
    orrery::cli::register_layer({"hello", orrery::version_string, "example steps: tokenize, lowercase, count_words"});
    return orrery::cli::main(argc, argv);
}
