#pragma once
// The stage-graph layer (orrery::graph target: core + oneTBB): plans and their
// executor, results, retry policies, named inputs, stage shapes, stage metadata
// and the stage registry.
#include "orrery/graph/clock.hpp"
#include "orrery/graph/dynamic_graph.hpp"
#include "orrery/graph/executor.hpp"
#include "orrery/graph/graph_options.hpp"
#include "orrery/graph/graph_result.hpp"
#include "orrery/graph/named_inputs.hpp"
#include "orrery/graph/plan.hpp"
#include "orrery/graph/register_stage.hpp"
#include "orrery/graph/retry.hpp"
#include "orrery/graph/stage_io.hpp"
#include "orrery/graph/stage_metadata.hpp"
#include "orrery/graph/stage_registry.hpp"
