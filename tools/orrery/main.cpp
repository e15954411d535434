// The orrery command-line tool (build/bin/orrery; build/bin/strun is a link to
// it and behaves as `orrery strun`). The tool is the plug-in layers it ships
// plus orrery::cli::main; see docs/cli.md.

#include "orrery/jwst.hpp"  // the detector1 steps, calwebb_detector1 and their product_traits

#include "orrery/cli/main.hpp"

int main(int argc, char** argv) {
    orrery::cli::register_layer({"jwst", orrery::version_string, "calwebb_detector1"});
    return orrery::cli::main(argc, argv);
}
