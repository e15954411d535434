#pragma once
// Step and stage events for observers (progress display, timing, the run ledger).
// Steps send start / finish / skip / error; graph stages add attempt and retry.

#include <chrono>
#include <cstddef>
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
    enum class Kind { start, finish, skip, error, attempt, retry } kind = Kind::start;
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
    // Graph stages (empty / zero for steps run outside a graph):
    std::string stage;                    // the stage id; alias then names what it runs
    int attempt = 0;                      // attempt number (attempt, retry, finish, error)
    double retry_delay_seconds = 0.0;     // retry: the wait before the next attempt
    std::size_t output_count = 0;         // finish: the stage's output counter
};

class Observer {
public:
    virtual ~Observer() = default;
    virtual void on_event(const StepEvent& event) = 0;
};

}  // namespace orrery
