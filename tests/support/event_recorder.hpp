#pragma once
// An observer that keeps one line per step event ("finish add 2/3"), for tests that
// check the order and position of a run's events.
#include "orrery/core/events.hpp"

#include <string>
#include <vector>

namespace orrery::test {

struct EventRecorder : orrery::Observer {
    std::vector<std::string> lines;
    void on_event(const orrery::StepEvent& e) override {
        const char* kind[] = {"start", "finish", "skip", "error"};
        lines.push_back(std::string(kind[static_cast<int>(e.kind)]) + " " + e.alias + " " + std::to_string(e.index) + "/" +
                        std::to_string(e.total));
    }
};

}  // namespace orrery::test
