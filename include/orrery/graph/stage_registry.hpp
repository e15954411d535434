#pragma once
/// The registry of stage types: the StageMetadata of every step registered as a
/// stage (ORRERY_REGISTER_STAGE, register_stage<S>()). Dynamic graphs look stages
/// up here by alias or class name.
///
/// add() validates a registration and throws ConfigError naming its origin:
/// type, description and the data shapes present; state keys identifiers, none
/// twice; several keys come with an output handler; and no collision — another
/// registration of the same alias or class name from another origin is an error
/// naming both origins (the first registration is kept). Re-adding the identical
/// registration (same type, class and origin) is ignored.
///
/// Registration by macro runs during static initialisation, where a throw would
/// end the program before main. It goes through record() instead, which keeps the
/// problem: problems() lists them (one line each, naming the origins), and looking
/// up a name a problem concerns (find, get) throws that problem's ConfigError, so
/// a broken or colliding stage type cannot be used by accident.

#include "orrery/core/errors.hpp"
#include "orrery/core/suggest.hpp"
#include "orrery/graph/stage_metadata.hpp"

#include <algorithm>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace orrery {

class StageRegistry {
public:
    /// The process-wide registry (constructed on first use, so registration order
    /// across translation units does not matter). Separate instances are for tools and tests.
    static StageRegistry& instance() {
        static StageRegistry r;
        return r;
    }

    StageRegistry() = default;
    StageRegistry(const StageRegistry&) = delete;
    StageRegistry& operator=(const StageRegistry&) = delete;

    /// Validate and add; ConfigError naming the registration's origin when it is
    /// broken or collides with an earlier one (then nothing is added).
    void add(StageMetadata meta) {
        std::lock_guard lock(mutex_);
        add_locked(std::move(meta));
    }

    /// add() that keeps the problem instead of throwing (for static initialisation).
    /// True when the registration was added or was already there.
    bool record(StageMetadata meta) noexcept {
        std::lock_guard lock(mutex_);
        const std::string type = meta.type, class_name = meta.class_name;
        try {
            add_locked(std::move(meta));
            return true;
        } catch (const std::exception& e) {
            problems_.push_back({type, class_name, e.what()});
            return false;
        }
    }

    /// Registration problems kept by record(), one line each.
    [[nodiscard]] std::vector<std::string> problems() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& p : problems_) out.push_back(p.message);
        return out;
    }

    /// By alias or class name; nullptr if unknown. ConfigError if a recorded problem concerns the name.
    [[nodiscard]] const StageMetadata* find(std::string_view name) const {
        std::lock_guard lock(mutex_);
        for (const auto& p : problems_)
            if (!name.empty() && (p.type == name || p.class_name == name)) throw ConfigError(p.message);
        return find_locked(name);
    }

    /// find() or a UsageError suggesting close names.
    [[nodiscard]] const StageMetadata& get(std::string_view name) const {
        if (const auto* m = find(name)) return *m;
        std::lock_guard lock(mutex_);
        std::vector<std::string> names;
        for (const auto& e : entries_) names.push_back(e.type);
        std::string hint = did_you_mean(name, names);
        if (entries_.empty()) hint = " (no stage type is registered: is the stage's header included in the program?)";
        throw UsageError("unknown stage type '" + std::string(name) + "'" + hint);
    }

    /// Every registered stage type, sorted by type.
    [[nodiscard]] std::vector<StageMetadata> all() const {
        std::lock_guard lock(mutex_);
        std::vector<StageMetadata> copy(entries_.begin(), entries_.end());
        std::sort(copy.begin(), copy.end(), [](const auto& a, const auto& b) { return a.type < b.type; });
        return copy;
    }
    [[nodiscard]] std::size_t size() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

    /// Every problem at once: the recorded registration problems, then each
    /// depends_on that names no registered stage type. Empty when all is well.
    [[nodiscard]] std::vector<std::string> validate_dependencies() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& p : problems_) out.push_back(p.message);
        std::vector<std::string> names;
        for (const auto& e : entries_) names.push_back(e.type);
        for (const auto& e : entries_)
            for (const auto& d : e.depends_on)
                if (!find_locked(d))
                    out.push_back("stage type '" + e.type + "' (" + e.origin + ") depends on '" + d +
                                  "', which is not a registered stage type" + did_you_mean(d, names));
        return out;
    }

private:
    struct Problem {
        std::string type, class_name, message;
    };

    const StageMetadata* find_locked(std::string_view name) const {
        for (const auto& e : entries_)
            if (e.type == name || e.class_name == name) return &e;
        return nullptr;
    }

    void add_locked(StageMetadata meta) {
        if (meta.class_name.empty()) meta.class_name = meta.type;
        const std::string who = "stage registration '" + (meta.type.empty() ? std::string("<no type>") : meta.type) + "' (" +
                                (meta.origin.empty() ? std::string("unknown origin") : meta.origin) + ")";
        if (meta.type.empty()) throw ConfigError(who + ": the stage type (its alias) is empty");
        if (meta.description.empty()) throw ConfigError(who + ": the description is empty");
        if (meta.io.value_type == typeid(void) || !meta.io.make_input || !meta.io.unwrap || !meta.io.split || !meta.io.gather)
            throw ConfigError(who + ": the data shapes (io) are not filled: build them with make_stage_io<S>()");
        for (std::size_t i = 0; i < meta.state_keys.size(); ++i) {
            const auto& k = meta.state_keys[i];
            if (!valid_state_key(k))
                throw ConfigError(who + ": state key '" + k + "' is not an identifier (letters, digits and '_', not starting with a digit)");
            if (std::find(meta.state_keys.begin(), meta.state_keys.begin() + static_cast<std::ptrdiff_t>(i), k) !=
                meta.state_keys.begin() + static_cast<std::ptrdiff_t>(i))
                throw ConfigError(who + ": state key '" + k + "' is declared twice");
        }
        if (meta.state_keys.size() > 1 && !meta.output_handler)
            throw ConfigError(who + ": several state keys need an output handler saying how the output fills them");
        if (!meta.output_counter) throw ConfigError(who + ": the output counter is not set");
        for (const auto& d : meta.depends_on)
            if (d.empty()) throw ConfigError(who + ": depends_on names an empty stage type");

        for (const auto& e : entries_) {
            const bool same_type = e.type == meta.type, same_class = e.class_name == meta.class_name;
            if (same_type && same_class && e.origin == meta.origin) return;  // the identical registration again
            if (same_type || same_class || e.type == meta.class_name || e.class_name == meta.type)
                throw ConfigError(who + " collides with stage type '" + e.type + "' (class " + e.class_name + ") registered at " +
                                  (e.origin.empty() ? std::string("unknown origin") : e.origin) + "; rename one of them");
        }
        entries_.push_back(std::move(meta));
    }

    mutable std::mutex mutex_;
    std::deque<StageMetadata> entries_;  // a deque: find() hands out pointers that later add()s keep valid
    std::vector<Problem> problems_;
};

}  // namespace orrery
