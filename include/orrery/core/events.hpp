#pragma once
// Step events for observers (progress display, timing, the run ledger).

#include <chrono>
#include <string>
#include <vector>

namespace orrery {

enum class StepStatus { not_set, complete, skipped, failed };

inline const char* status_text(StepStatus s) {
    switch (s) {
        case StepStatus::complete: return "COMPLETE";
        case StepStatus::skipped: return "SKIPPED";
        case StepStatus::failed: return "FAILED";
        case StepStatus::not_set: return "NOT SET";
    }
    return "NOT SET";
}

struct StepEvent {
    enum class Kind { start, finish, skip, error } kind = Kind::start;
    std::string alias;           // "saturation"
    std::string class_name;      // "jwst.saturation.SaturationStep"
    std::string pipeline;        // enclosing pipeline alias, empty at top level
    int index = 0;               // 1-based position in the pipeline run, 0 if standalone
    int total = 0;               // number of steps in the pipeline run
    StepStatus status = StepStatus::not_set;
    std::string message;         // skip reason or error text
    std::chrono::steady_clock::time_point started{};
    std::chrono::system_clock::time_point wall_start{};
    double seconds = 0.0;        // duration (finish/skip/error)
    std::string parameters;      // one-line rendering of the step's parameters
    std::vector<std::string> references;  // reference files used ("saturation=/path")
    std::vector<std::string> outputs;     // files written by save_results
};

class Observer {
public:
    virtual ~Observer() = default;
    virtual void on_event(const StepEvent& event) = 0;
};

}  // namespace orrery
