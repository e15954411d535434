#pragma once
/// Workflow types: registered template families of stages. A graph file that says
/// `workflow: release` gets the type's stages, built by `expand` from the type's
/// configuration (`config: { release: {...} }` merged over `defaults`), before its
/// own stages, which may add to them or replace one by id. `validate` checks the
/// whole document against the type's rules before anything runs.
///
/// Register at global scope with a tag type that has `static WorkflowType make()`:
///
///   struct ReleaseWorkflow { static orrery::workflow::WorkflowType make(); };
///   ORRERY_REGISTER_WORKFLOW_TYPE(ReleaseWorkflow)

#include "orrery/core/errors.hpp"
#include "orrery/core/suggest.hpp"

#include "orrery/workflow/named_registry.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::workflow {

struct WorkflowType {
    std::string name{};
    std::string description{};
    nlohmann::json config_schema = nlohmann::json::object();  // JSON Schema of document["config"][name]
    nlohmann::json defaults = nlohmann::json::object();       // the configuration a file may leave out
    /// The type's stages, in graph-file syntax, from the merged configuration: an
    /// array of {"id", "description", "step", "parameters", "needs", "optional"} or
    /// {"id", "command", "args", "runtime", ...} objects.
    std::function<nlohmann::json(const nlohmann::json& config)> expand{};
    /// Problems of a whole graph document (one line each); empty when it may run.
    std::function<std::vector<std::string>(const nlohmann::json& document)> validate{};
    std::string origin{};  // "file:line" of the registration
};

class WorkflowTypeRegistry : public NamedRegistry<WorkflowType> {
public:
    WorkflowTypeRegistry() : NamedRegistry("workflow type") {}
};

/// The one registry of the process (constructed on first use).
inline WorkflowTypeRegistry& workflow_types() {
    static WorkflowTypeRegistry registry;
    return registry;
}

template <class Tag>
inline const bool workflow_type_registered = false;

namespace detail {
template <class Tag>
bool register_workflow_type(const char* file, int line) {
    WorkflowType type = Tag::make();
    type.origin = std::string(file) + ":" + std::to_string(line);
    workflow_types().add(std::move(type));
    return true;
}
}  // namespace detail

}  // namespace orrery::workflow

#define ORRERY_REGISTER_WORKFLOW_TYPE(Tag)                                  \
    template <>                                                             \
    inline const bool ::orrery::workflow::workflow_type_registered<Tag> =   \
        ::orrery::workflow::detail::register_workflow_type<Tag>(__FILE__, __LINE__);
