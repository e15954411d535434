#pragma once
/// What a graph run reports: per stage its status, message, attempts, duration and
/// output count; the outputs by stage id, typed on access; whether the run
/// succeeded, failed or finished degraded (continue_on_error with failures).

#include "orrery/core/any_value.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/graph/plan.hpp"

#include <map>
#include <string>
#include <vector>

namespace orrery {

enum class StageStatus { pending, succeeded, failed, skipped, cancelled };

inline const char* stage_status_text(StageStatus s) {
    switch (s) {
        case StageStatus::pending: return "PENDING";
        case StageStatus::succeeded: return "SUCCEEDED";
        case StageStatus::failed: return "FAILED";
        case StageStatus::skipped: return "SKIPPED";
        case StageStatus::cancelled: return "CANCELLED";
    }
    return "PENDING";
}

struct StageReport {
    std::string id;
    std::string stage_type;
    StageStatus status = StageStatus::pending;
    std::string message;                  // failure message, skip or cancel reason
    std::string category;                 // failure category ("error", "timeout", ...)
    int attempts = 0;                     // attempts made (a fan-out: the most any element needed)
    double seconds = 0.0;                 // wall time from first attempt to the end
    std::size_t output_count = 0;         // from the stage's output counter
    bool optional = false;
    std::vector<ElementFailure> element_failures;  // fan-out: which elements failed
};

enum class GraphStatus { succeeded, degraded, failed };

inline const char* graph_status_text(GraphStatus s) {
    switch (s) {
        case GraphStatus::succeeded: return "SUCCEEDED";
        case GraphStatus::degraded: return "DEGRADED";
        case GraphStatus::failed: return "FAILED";
    }
    return "FAILED";
}

class GraphResult {
public:
    std::string name;
    GraphStatus status = GraphStatus::succeeded;
    double seconds = 0.0;
    std::vector<StageReport> stages;  // in the plan's node order

    [[nodiscard]] bool ok() const { return status == GraphStatus::succeeded; }

    [[nodiscard]] const StageReport* find(std::string_view id) const {
        for (const auto& s : stages)
            if (s.id == id) return &s;
        return nullptr;
    }
    [[nodiscard]] const StageReport& stage(std::string_view id) const {
        if (const auto* s = find(id)) return *s;
        throw UsageError("graph '" + name + "' has no stage '" + std::string(id) + "'");
    }
    [[nodiscard]] std::vector<std::string> failed_stages() const {
        std::vector<std::string> out;
        for (const auto& s : stages)
            if (s.status == StageStatus::failed) out.push_back(s.id);
        return out;
    }
    [[nodiscard]] bool has_output(std::string_view id) const {
        auto it = outputs_.find(std::string(id));
        return it != outputs_.end() && it->second && it->second->has_value();
    }
    /// The output of stage `id` as T; an error naming the stage when it has none or
    /// holds another type.
    template <class T>
    [[nodiscard]] const T& output(std::string_view id) const {
        auto it = outputs_.find(std::string(id));
        if (it == outputs_.end() || !it->second || !it->second->has_value())
            throw UsageError("graph '" + name + "': stage '" + std::string(id) + "' has no output (" +
                             (find(id) ? stage_status_text(find(id)->status) : "no such stage") + ")");
        if (const T* v = it->second->get<T>()) return *v;
        throw UsageError("graph '" + name + "': the output of stage '" + std::string(id) + "' is " + it->second->type_text() + ", not " +
                         type_name<T>());
    }
    [[nodiscard]] const StageValue* find_value(std::string_view id) const {
        auto it = outputs_.find(std::string(id));
        return it == outputs_.end() ? nullptr : &it->second;
    }
    void set_output(const std::string& id, StageValue v) { outputs_[id] = std::move(v); }

private:
    std::map<std::string, StageValue, std::less<>> outputs_;
};

}  // namespace orrery
