#pragma once
// The orrery command line, compiled once in the orrery::cli library. A program
// includes the steps it ships (their headers register them), then calls main:
//
//   #include "my_steps.hpp"  // or "orrery/jwst.hpp": the detector1 steps
//   #include "orrery/cli.hpp"
//   int main(int argc, char** argv) { return orrery::cli::main(argc, argv); }
//
// Commands: strun, run, list, describe, doctor, logs (docs/cli.md). The program's
// file name (argv[0]) is its name in messages; a program whose name begins or
// ends with "strun" (strun, nircam-strun) behaves as `orrery strun`: its first
// argument names the step, as with stpipe's strun.

#include <string>

namespace orrery::cli {

/// A plug-in layer linked into the program, shown by --version and doctor.
struct LayerInfo {
    std::string name;     // "jwst"
    std::string version;  // "0.1.0"
    std::string detail;   // e.g. "calwebb_detector1"
};

/// Declare a layer (call before main; registering a name again replaces it).
void register_layer(LayerInfo layer);

/// Add a dependency version to doctor's list (the library lists its own:
/// Boost, yaml-cpp, nlohmann_json, oneTBB); e.g. {"cfitsio", "4.2.0"}.
void register_dependency(std::string name, std::string version);

/// Run the command line; returns the process exit code (0 success, 1 a step
/// failed, 2 usage or configuration error, 3 input data error, 64 no science data).
int main(int argc, char** argv);

}  // namespace orrery::cli
