#pragma once
/// Which stages of a graph file a run executes: a pipeline (a named subset;
/// `full-refresh` = every stage), narrowed by --only, --skip, --from and --to.
/// Contradictions (--only with --from/--to, a stage both selected and skipped,
/// --from after --to, names outside the pipeline) are errors before anything runs.
/// Stages left out are not run: their outputs are taken as they are on disk.

#include "orrery/core/errors.hpp"
#include "orrery/core/suggest.hpp"
#include "orrery/workflow/graph_file.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace orrery::workflow {

struct SelectionRequest {
    std::string pipeline{};            // empty: the file's default pipeline
    std::vector<std::string> only{};
    std::vector<std::string> skip{};
    std::string from{};
    std::string to{};
};

struct Selection {
    std::string pipeline{};
    std::vector<std::string> stages{};    // to run, in dependency order (file order among equals)
    std::vector<std::string> left_out{};  // in the pipeline but deselected
};

/// Every stage id in dependency order; ties keep the file's order.
inline std::vector<std::string> dependency_order(const GraphFile& g) {
    std::vector<std::string> order;
    std::set<std::string> placed;
    while (order.size() < g.stages.size()) {
        bool progressed = false;
        for (const auto& s : g.stages) {
            if (placed.count(s.id)) continue;
            const auto deps = s.dependencies();
            if (std::all_of(deps.begin(), deps.end(), [&](const std::string& d) { return placed.count(d) > 0; })) {
                order.push_back(s.id);
                placed.insert(s.id);
                progressed = true;
            }
        }
        if (!progressed) throw ConfigError(g.document.path.string() + ": the stages form a cycle");
    }
    return order;
}

namespace detail {

/// `id` and everything that depends on it (downstream = true) or that it depends on.
inline std::set<std::string> reachable(const GraphFile& g, const std::string& id, bool downstream) {
    std::set<std::string> out{id};
    bool grew = true;
    while (grew) {
        grew = false;
        for (const auto& s : g.stages)
            for (const auto& d : s.dependencies()) {
                const std::string& from = downstream ? d : s.id;
                const std::string& to = downstream ? s.id : d;
                if (out.count(from) && out.insert(to).second) grew = true;
            }
    }
    return out;
}

}  // namespace detail

inline Selection select_stages(const GraphFile& g, const SelectionRequest& r) {
    Selection sel;
    sel.pipeline = r.pipeline.empty() ? g.default_pipeline : r.pipeline;
    std::set<std::string> base;
    if (const auto* ids = g.find_pipeline(sel.pipeline)) {
        base.insert(ids->begin(), ids->end());
    } else if (sel.pipeline == "full-refresh") {
        for (const auto& s : g.stages) base.insert(s.id);
    } else {
        throw UsageError("unknown pipeline '" + sel.pipeline + "' in " + g.document.path.string() + did_you_mean(sel.pipeline, g.pipeline_names()));
    }
    std::vector<std::string> all;
    for (const auto& s : g.stages) all.push_back(s.id);
    const auto check = [&](const std::string& id, const char* flag) {
        if (!g.find_stage(id)) throw UsageError(std::string(flag) + ": unknown stage '" + id + "'" + did_you_mean(id, all));
        if (!base.count(id)) throw UsageError(std::string(flag) + ": stage '" + id + "' is not in pipeline '" + sel.pipeline + "'");
    };
    if (!r.only.empty() && (!r.from.empty() || !r.to.empty())) throw UsageError("--only cannot be combined with --from or --to");
    for (const auto& id : r.only) check(id, "--only");
    for (const auto& id : r.skip) check(id, "--skip");
    if (!r.from.empty()) check(r.from, "--from");
    if (!r.to.empty()) check(r.to, "--to");
    for (const auto& id : r.skip) {
        if (std::find(r.only.begin(), r.only.end(), id) != r.only.end()) throw UsageError("stage '" + id + "' is both in --only and in --skip");
        if (id == r.from) throw UsageError("stage '" + id + "' is both --from and in --skip");
        if (id == r.to) throw UsageError("stage '" + id + "' is both --to and in --skip");
    }
    std::set<std::string> chosen = base;
    if (!r.only.empty()) chosen = std::set<std::string>(r.only.begin(), r.only.end());
    if (!r.from.empty()) {
        const auto down = detail::reachable(g, r.from, true);
        std::set<std::string> keep;
        for (const auto& id : chosen)
            if (down.count(id)) keep.insert(id);
        chosen = keep;
    }
    if (!r.to.empty()) {
        if (!r.from.empty() && !detail::reachable(g, r.from, true).count(r.to))
            throw UsageError("--to " + r.to + " does not come after --from " + r.from + ": nothing would run");
        const auto up = detail::reachable(g, r.to, false);
        std::set<std::string> keep;
        for (const auto& id : chosen)
            if (up.count(id)) keep.insert(id);
        chosen = keep;
    }
    for (const auto& id : r.skip) chosen.erase(id);
    for (const auto& id : dependency_order(g)) {
        if (chosen.count(id)) sel.stages.push_back(id);
        else if (base.count(id)) sel.left_out.push_back(id);
    }
    if (sel.stages.empty()) throw UsageError("the selection leaves no stage to run in pipeline '" + sel.pipeline + "'");
    return sel;
}

}  // namespace orrery::workflow
