#pragma once
// orrery's stpipe layer: stpipe semantics on top of the core — parameter files
// (ASDF and .cfg, pars- reference lookup, precedence, --save-parameters) and
// reference-file lookup in a reference directory.

#include "orrery/orrery.hpp"

#include "orrery/stpipe/parameter_files.hpp"
#include "orrery/stpipe/reference_directory.hpp"
