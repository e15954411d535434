#pragma once
// An observer that keeps one line per step or stage event ("finish add 2/3"), for
// tests that check the order and position of a run's events. Thread-safe: graph
// stages send events from several threads.
#include "orrery/core/events.hpp"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

namespace orrery::test {

struct EventRecorder : orrery::Observer {
    std::vector<std::string> lines;
    std::vector<orrery::StepEvent> events;
    void on_event(const orrery::StepEvent& e) override {
        static const char* const kind[] = {"start", "finish", "skip", "error", "attempt", "retry"};
        std::lock_guard lock(mutex);
        lines.push_back(std::string(kind[static_cast<int>(e.kind)]) + " " + e.alias + " " + std::to_string(e.index) + "/" +
                        std::to_string(e.total));
        events.push_back(e);
    }
    [[nodiscard]] std::size_t count(orrery::StepEvent::Kind k) const {
        std::lock_guard lock(mutex);
        return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [k](const auto& e) { return e.kind == k; }));
    }
    mutable std::mutex mutex;
};

}  // namespace orrery::test
