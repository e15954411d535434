// The orrery command-line tool (build/bin/orrery; build/bin/strun is a link to
// it and behaves as `orrery strun`): the orrery::cli library with the JWST
// layer's steps and the release workflow type, which their headers register.
// See docs/cli.md and docs/graph-files.md.

#include "orrery/jwst.hpp"                        // the detector1 steps, calwebb_detector1 and their product_traits
#include "orrery/workflow/release_workflow.hpp"  // `workflow: release` in graph files, and its step handlers

#include "orrery/cli.hpp"

#include <string>

#define ORRERY_TOOL_STR2(x) #x
#define ORRERY_TOOL_STR(x) ORRERY_TOOL_STR2(x)

int main(int argc, char** argv) {
    orrery::cli::register_layer({"jwst", orrery::version_string, "calwebb_detector1"});
    // doctor lists the library's own dependencies; this one comes with the JWST layer.
#ifdef CFITSIO_VERSION
    orrery::cli::register_dependency("cfitsio", ORRERY_TOOL_STR(CFITSIO_VERSION));
#endif
    return orrery::cli::main(argc, argv);
}
