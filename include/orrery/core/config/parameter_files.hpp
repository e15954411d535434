#pragma once
// Parameter files: ASDF step_config and configobj .cfg readers, config_file
// includes, the --save-parameters ASDF writer and the precedence merge.
// Needs yaml-cpp (link the `yaml-cpp` target; orrery::orrery does).

#include "orrery/core/config/asdf_reader.hpp"
#include "orrery/core/config/asdf_writer.hpp"
#include "orrery/core/config/cfg_reader.hpp"
#include "orrery/core/config/export_config.hpp"
#include "orrery/core/config/param_file.hpp"
#include "orrery/core/config/precedence.hpp"
#include "orrery/core/config/step_config.hpp"
