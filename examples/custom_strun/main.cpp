// custom-strun: a strun-compatible tool for the series steps. Its name ends in
// "strun", so it runs as stpipe's strun does:
//
//   custom-strun scale data.txt --factor=2       -> data_scale.txt
//   custom-strun tidy data.txt --steps.clip.upper=5
//   custom-strun scale -h                        the step's parameters
//
// The command line is the compiled orrery::cli library; the steps are this
// program's own (their header registers them).

#include "series_steps.hpp"

#include "orrery/cli.hpp"

int main(int argc, char** argv) { return orrery::cli::main(argc, argv); }
