#pragma once
// Parameter files: ASDF step_config and configobj .cfg readers, config_file
// includes, the --save-parameters ASDF writer and the precedence merge.
// Needs yaml-cpp (link the `yaml-cpp` target; orrery::orrery does).

#include "orrery/stpipe/asdf_reader.hpp"
#include "orrery/stpipe/asdf_writer.hpp"
#include "orrery/stpipe/cfg_reader.hpp"
#include "orrery/stpipe/export_config.hpp"
#include "orrery/stpipe/param_file.hpp"
#include "orrery/stpipe/precedence.hpp"
#include "orrery/stpipe/step_config.hpp"
