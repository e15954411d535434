// Context::fork(): what a fork inherits, what it shares with its parent, and which
// way cancellation flows.
#include "orrery/core/context.hpp"

#include "../support/event_recorder.hpp"

#include <catch2/catch.hpp>

#include <memory>

TEST_CASE("a fork inherits the parent's settings and shares its state store and services") {
    orrery::Context parent;
    auto logger = std::make_shared<orrery::NullLogger>();
    parent.set_logger(logger);
    parent.set_max_threads(3);
    parent.set_reference_retention(orrery::ReferenceRetention::keep);
    parent.set_input_filename("in_uncal.fits");
    auto recorder = std::make_shared<orrery::test::EventRecorder>();
    parent.add_observer(recorder);
    int loops = 0;
    parent.set_parallel_for([&loops](std::size_t count, int, const orrery::Context::RangeBody& body) {
        ++loops;
        body(0, count);
    });
    parent.set_service(std::make_shared<int>(42));

    orrery::Context child = parent.fork();
    CHECK(&child.logger() == logger.get());
    CHECK(child.max_threads() == 3);
    CHECK(child.reference_retention() == orrery::ReferenceRetention::keep);
    CHECK(child.run_info().input_filename == "in_uncal.fits");
    CHECK(child.has_observers());
    child.parallel_for(10, [](std::size_t, std::size_t) {});
    CHECK(loops == 1);
    REQUIRE(child.find_service<int>() != nullptr);
    CHECK(*child.find_service<int>() == 42);

    child.set_state("seen", 7);
    CHECK(parent.get_state<int>("seen", 0) == 7);
    child.set_max_threads(1);  // its own settings from here on
    CHECK(parent.max_threads() == 3);
}

TEST_CASE("cancelling a context reaches its forks, not its parent") {
    orrery::Context parent;
    orrery::Context child = parent.fork();
    orrery::Context grandchild = child.fork();
    child.cancel();
    CHECK(child.cancelled());
    CHECK(grandchild.cancelled());
    CHECK_FALSE(parent.cancelled());

    orrery::Context sibling = parent.fork();
    CHECK_FALSE(sibling.cancelled());
    parent.cancel();
    CHECK(sibling.cancelled());
}

TEST_CASE("a fork keeps the parent's deadline check") {
    orrery::Context parent;
    bool passed = false;
    parent.set_deadline_check([&passed] { return passed; });
    orrery::Context child = parent.fork();
    CHECK_FALSE(child.cancelled());
    passed = true;
    CHECK(child.deadline_passed());
    CHECK(child.cancelled());
}
