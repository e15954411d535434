#pragma once
// The workflow layer (orrery::workflow target: graph + yaml-cpp + nlohmann_json +
// valijson + cpp-httplib): stage-graph files (YAML/JSON, schema-checked, with
// line numbers), configuration layers and ${...} substitution, command stages in
// their own process groups, step handlers, integration adapters (git, filesystem,
// http), workflow types (release), the run ledger, the stage cache, and the runner
// that lowers a file to the graph layer's executor.
#include "orrery/workflow/adapter.hpp"
#include "orrery/workflow/adapter_registry.hpp"
#include "orrery/workflow/adapter_set.hpp"
#include "orrery/workflow/artifacts.hpp"
#include "orrery/workflow/child_process.hpp"
#include "orrery/workflow/condition.hpp"
#include "orrery/workflow/config_layers.hpp"
#include "orrery/workflow/document.hpp"
#include "orrery/workflow/env_file.hpp"
#include "orrery/workflow/filesystem_adapter.hpp"
#include "orrery/workflow/git_adapter.hpp"
#include "orrery/workflow/graph_file.hpp"
#include "orrery/workflow/graph_file_loader.hpp"
#include "orrery/workflow/graph_runner.hpp"
#include "orrery/workflow/graph_schema.hpp"
#include "orrery/workflow/http_adapter.hpp"
#include "orrery/workflow/json_schema.hpp"
#include "orrery/workflow/named_registry.hpp"
#include "orrery/workflow/release_workflow.hpp"
#include "orrery/workflow/run_ledger.hpp"
#include "orrery/workflow/runtime.hpp"
#include "orrery/workflow/sha256.hpp"
#include "orrery/workflow/stage_cache.hpp"
#include "orrery/workflow/stage_request.hpp"
#include "orrery/workflow/stage_selection.hpp"
#include "orrery/workflow/step_handler.hpp"
#include "orrery/workflow/substitution.hpp"
#include "orrery/workflow/workflow_type.hpp"
