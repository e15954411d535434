// Step selection for `orrery run` (see selection.hpp).

#include "selection.hpp"

#include "help.hpp"
#include "orrery/core/any_step.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/registry.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace orrery::cli {

bool has_selection(const Options& o) { return !o.only.empty() || !o.skip.empty() || o.from || o.to; }

ParamNode resolve_selection(const AnyStep& step, const Options& o, const Context& ctx) {
    if (!has_selection(o)) return ParamNode::null();
    const StepInfo& info = step.info();
    if (info.kind != StepKind::pipeline)
        throw UsageError("--only/--skip/--from/--to select steps of a pipeline; '" + info.alias + "' is a single step");

    const auto plan = step.plan(ctx);
    std::vector<std::string> order;
    for (const auto& e : plan) order.push_back(e.alias);
    std::string known;
    for (const auto& a : order) known += (known.empty() ? "" : ", ") + a;
    auto index_of = [&](const std::string& name, const char* flag) -> std::size_t {
        auto it = std::find(order.begin(), order.end(), name);
        if (it == order.end())
            throw UsageError(std::string(flag) + ": pipeline '" + info.alias + "' has no step '" + name + "' (its steps: " + known + ")");
        return static_cast<std::size_t>(it - order.begin());
    };
    for (const auto& a : o.only) index_of(a, "--only");
    for (const auto& a : o.skip) index_of(a, "--skip");
    const std::size_t first = o.from ? index_of(*o.from, "--from") : 0;
    const std::size_t last = o.to ? index_of(*o.to, "--to") : order.size() - 1;
    if (first > last)
        throw UsageError("--from " + *o.from + " comes after --to " + *o.to + " in the run order (" + known + ")");
    for (const auto& a : o.only) {
        const auto i = index_of(a, "--only");
        if (i < first || i > last) throw UsageError("--only " + a + " lies outside the --from/--to range");
        if (std::find(o.skip.begin(), o.skip.end(), a) != o.skip.end())
            throw UsageError("step '" + a + "' is given both to --only and to --skip");
    }

    const ParamNode current = step.parameters();
    const ParamNode* steps = current.find("steps");
    auto currently_skipped = [&](const std::string& alias) {
        const ParamNode* s = steps ? steps->find(alias) : nullptr;
        const ParamNode* k = s ? s->find("skip") : nullptr;
        return k && k->is_scalar() && k->text() == "True";
    };

    ParamNode tree = ParamNode::map();
    bool any_runs = false;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const std::string& a = order[i];
        const bool in_only = std::find(o.only.begin(), o.only.end(), a) != o.only.end();
        const bool in_skip = std::find(o.skip.begin(), o.skip.end(), a) != o.skip.end();
        std::string reason;  // the flag that deselects it
        if (in_skip) reason = "--skip";
        else if (!o.only.empty() && !in_only) reason = "--only";
        else if (i < first) reason = "--from";
        else if (i > last) reason = "--to";

        if (!reason.empty()) {
            const StepInfo* child = nullptr;
            try {
                child = Registry::instance().find(plan[i].class_name);
            } catch (const Error&) {
            }
            if (child && !child->skippable)
                throw UsageError("step '" + a + "' cannot be skipped (it turns " + pretty_type(child->input_type_name) + " into " + pretty_type(child->output_type_name) +
                                 "), so this " + reason + " selection is not possible");
            tree.set_path("steps." + a + ".skip", ParamNode::scalar("True", reason));
        } else if (in_only) {
            tree.set_path("steps." + a + ".skip", ParamNode::scalar("False", "--only"));
            any_runs = true;
        } else if (!currently_skipped(a)) {
            any_runs = true;
        }
    }
    if (!any_runs) throw UsageError("the step selection leaves no step of '" + info.alias + "' to run");
    return tree;
}

}  // namespace orrery::cli
