#pragma once
// Context: what a running step may use besides its input and parameters — a
// logger, the reference resolver, a thread budget, cancellation, a state store
// (caches, values shared between steps), metrics, and the observers. The runner
// also keeps the current step's identity and status here, and the reference types
// the rest of the run still needs (so caches can drop a reference after its last use).

#include "orrery/core/errors.hpp"
#include "orrery/core/events.hpp"
#include "orrery/core/logger.hpp"
#include "orrery/core/references.hpp"

#include <algorithm>
#include <typeindex>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace orrery {

/// stpipe `maximum_cores`: '1', an integer, 'quarter', 'half' or 'all'.
inline int parse_maximum_cores(const std::string& value, int available = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {
    if (value == "all") return available;
    if (value == "half") return std::max(1, available / 2);
    if (value == "quarter") return std::max(1, available / 4);
    try {
        std::size_t used = 0;
        const int n = std::stoi(value, &used);
        if (used == value.size() && n >= 1) return std::min(n, available);
    } catch (const std::exception&) {
    }
    throw ParameterError("maximum_cores", {}, "the value \"" + value + "\" is not 'quarter', 'half', 'all' or a positive integer");
}

/// What a run tells the steps it runs: the pipeline and the position in it (for
/// progress, "[7/15]"), and where products go unless a step says otherwise.
struct RunInfo {
    std::string pipeline_name;
    int step_index = 0;
    int step_total = 0;
    std::string input_filename;  // the primary input's path (output naming)
    std::string output_dir;      // inherited by steps that set none
    std::string output_file;
    std::string instance_name;   // a step run on its own: stpipe's name (AnyStep::name); empty = its class's
};

/// The identity and outcome slot of the step currently running.
struct StepScope {
    std::string alias;
    std::string class_name;
    std::map<std::string, std::string> overrides;  // override_<reftype>
    StepStatus status = StepStatus::not_set;       // set by the step to report SKIPPED/FAILED
    std::string reason;
    std::vector<std::string> references;           // "reftype=path" actually used
    std::string output_dir;                        // where its files go: its own output_dir, else its pipeline's
    std::string output_ext;                        // its output_ext
};

class Context {
public:
    Context() : logger_(std::make_shared<StreamLogger>()) {}
    // Copies would share the state store and cancellation without saying so: fork() does that on purpose.
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    Context(Context&&) = default;
    Context& operator=(Context&&) = default;

    // ---- logging -----------------------------------------------------------
    [[nodiscard]] Logger& logger() { return *logger_; }
    void set_logger(std::shared_ptr<Logger> l) { logger_ = l ? std::move(l) : std::make_shared<NullLogger>(); }
    void log(LogLevel level, std::string_view message) {
        if (logger_->enabled(level)) logger_->log(level, logger_name(), message);
    }
    void debug(std::string_view m) { log(LogLevel::debug, m); }
    /// Whether debug records are kept (-v): build costly debug text only then.
    [[nodiscard]] bool debug_enabled() const { return logger_->enabled(LogLevel::debug); }
    void info(std::string_view m) { log(LogLevel::info, m); }
    void warn(std::string_view m) { log(LogLevel::warning, m); }
    void error(std::string_view m) { log(LogLevel::error, m); }

    // ---- services -------------------------------------------------------------
    /// Make `service` reachable by its type for the rest of the context's life (a client,
    /// an adapter, configuration): one per type, replaced by a later call.
    template <class T>
    void set_service(std::shared_ptr<T> service) {
        std::lock_guard lock(shared_->mutex);
        shared_->services.insert_or_assign(std::type_index(typeid(T)), std::shared_ptr<void>(std::move(service)));
    }
    /// The service registered for T, or null.
    template <class T>
    [[nodiscard]] T* find_service() const {
        std::lock_guard lock(shared_->mutex);
        auto it = shared_->services.find(std::type_index(typeid(T)));
        return it == shared_->services.end() ? nullptr : static_cast<T*>(it->second.get());
    }
    /// The service registered for T; a ConfigError naming the type if there is none.
    template <class T>
    [[nodiscard]] T& service() const {
        if (T* s = find_service<T>()) return *s;
        throw ConfigError("no service of type " + std::string(typeid(T).name()) + " is registered on the context");
    }

    // ---- references ----------------------------------------------------------
    /// How reference types are resolved; by default only override_<reftype> values.
    void set_reference_resolver(std::shared_ptr<const ReferenceResolver> r) {
        resolver_ = r ? std::move(r) : std::make_shared<const ReferenceResolver>();
    }
    [[nodiscard]] const ReferenceResolver& references() const { return *resolver_; }
    /// Resolve a reference type for the current step (honours its override_<reftype>).
    ResolvedReference resolve_reference(const std::string& reftype) {
        auto r = resolver_->resolve(scope_.alias, reftype, scope_.overrides);
        scope_.references.push_back(reftype + "=" + (r.not_applicable ? std::string("N/A") : r.path.string()));
        return r;
    }

    // ---- reference lifetime ------------------------------------------------------
    /// until_last_use (default) or keep; see ReferenceRetention.
    void set_reference_retention(ReferenceRetention r) { retention_ = r; }
    [[nodiscard]] ReferenceRetention reference_retention() const { return retention_; }

    /// A run's announcement of the reference types its steps declare (one entry per step
    /// use), active while the guard lives. Runs nested in another join the outermost one.
    /// When the outermost run ends, until_last_use releases every reference.
    class ReferenceRun {
    public:
        ReferenceRun(Context& ctx, std::span<const std::string> uses) : ctx_(ctx) {
            std::lock_guard lock(ctx_.shared_->mutex);
            if (ctx_.run_depth_++ > 0) return;
            ctx_.pending_uses_.clear();
            for (const auto& r : uses) ++ctx_.pending_uses_[r];
        }
        ~ReferenceRun() {
            bool release = false;
            {
                std::lock_guard lock(ctx_.shared_->mutex);
                if (--ctx_.run_depth_ > 0) return;
                ctx_.pending_uses_.clear();
                release = ctx_.retention_ == ReferenceRetention::until_last_use;
            }
            if (release) ctx_.release_references();
        }
        ReferenceRun(const ReferenceRun&) = delete;  // returned as a prvalue only (guaranteed elision)
        ReferenceRun& operator=(const ReferenceRun&) = delete;

    private:
        Context& ctx_;
    };
    [[nodiscard]] ReferenceRun reference_run(std::span<const std::string> uses) { return ReferenceRun(*this, uses); }

    /// A step of the active run has ended (done, skipped or failed) and used up its share of
    /// `reftypes`: with until_last_use, the types no later step declares are released.
    /// Types never announced (a step loading a type it does not declare) stay to the run's end.
    void reference_uses_done(std::span<const std::string_view> reftypes) {
        std::vector<std::string_view> unused;
        {
            std::lock_guard lock(shared_->mutex);
            if (run_depth_ == 0) return;
            for (auto r : reftypes) {
                auto it = pending_uses_.find(r);
                if (it == pending_uses_.end() || --it->second > 0) continue;
                pending_uses_.erase(it);
                unused.push_back(r);
            }
            if (retention_ != ReferenceRetention::until_last_use) return;
        }
        for (auto r : unused) release_references(r);
    }

    /// Tell every ReferenceHolder in the state store to drop `reftype` (every type when empty).
    void release_references(std::string_view reftype = {}) {
        std::vector<std::shared_ptr<ReferenceHolder>> holders;
        {
            std::lock_guard lock(shared_->mutex);
            for (auto& [key, slot] : shared_->state)
                if (slot.holder) holders.push_back(slot.holder);
        }
        for (auto& h : holders) h->release_references(reftype);
    }

    // ---- threads and cancellation ----------------------------------------------
    [[nodiscard]] int max_threads() const { return max_threads_; }
    void set_max_threads(int n) { max_threads_ = std::max(1, n); }
    /// Cancel this context and every context forked from it (not its parent).
    void cancel() { cancel_flags_.back()->store(true); }
    /// This context, an ancestor it was forked from, or its deadline check says stop.
    [[nodiscard]] bool cancelled() const {
        for (const auto& f : cancel_flags_)
            if (f->load(std::memory_order_relaxed)) return true;
        return deadline_passed();
    }
    void throw_if_cancelled() const {
        if (deadline_passed()) throw CancelledError("deadline passed");
        if (cancelled()) throw CancelledError("run cancelled");
    }
    /// A check that says when this context's time is up (a graph stage's attempt timeout);
    /// steps see it through cancelled() / throw_if_cancelled(). Inherited by forks.
    void set_deadline_check(std::function<bool()> passed) { deadline_check_ = std::move(passed); }
    [[nodiscard]] bool deadline_passed() const { return deadline_check_ && deadline_check_(); }

    /// A context for work running beside this one (a stage of a graph, one exposure of a
    /// batch): it shares the services, the state store, the metrics, the observers and
    /// the cancellation of this context, and has its own current step, run position,
    /// reference run and cancellation (cancelling it leaves this one running).
    [[nodiscard]] Context fork() const { return Context(*this, ForkTag{}); }

    // ---- parallel loops ----------------------------------------------------------
    /// body(begin, end) over index ranges covering [0, count); called concurrently on disjoint ranges.
    using RangeBody = std::function<void(std::size_t, std::size_t)>;
    using ParallelFor = std::function<void(std::size_t count, int threads, const RangeBody& body)>;
    /// Install a parallel loop (e.g. orrery/parallel/tbb_parallel_for.hpp); the default runs serially.
    void set_parallel_for(ParallelFor f) { parallel_for_ = std::move(f); }
    void parallel_for(std::size_t count, const RangeBody& body) const {
        if (count == 0) return;
        if (parallel_for_ && max_threads_ > 1 && count > 1) parallel_for_(count, max_threads_, body);
        else body(0, count);
    }
    /// As above on at most `threads` threads (e.g. a step's own maximum_cores), within the budget.
    void parallel_for(std::size_t count, int threads, const RangeBody& body) const {
        if (count == 0) return;
        const int n = std::min(threads, max_threads_);
        if (parallel_for_ && n > 1 && count > 1) parallel_for_(count, n, body);
        else body(0, count);
    }

    // ---- state store -----------------------------------------------------------
    // Shared by every fork of a context and safe to use from concurrent stages through
    // set_state / get_state / update_state. state<T>() and find_state() hand out a
    // reference: use them for values one thread owns (a step's cache).

    /// A value shared across steps and runs (caches, conditions), default-constructed on first use.
    template <class T>
    T& state(const std::string& key) {
        std::lock_guard lock(shared_->mutex);
        auto it = shared_->state.find(key);
        if (it == shared_->state.end()) it = shared_->state.emplace(key, make_slot(std::make_shared<T>())).first;
        if (it->second.type != std::type_index(typeid(T))) throw InternalError("context state '" + key + "' holds another type");
        return *static_cast<T*>(it->second.value.get());
    }
    template <class T>
    T* find_state(const std::string& key) {
        std::lock_guard lock(shared_->mutex);
        auto it = shared_->state.find(key);
        if (it == shared_->state.end() || it->second.type != std::type_index(typeid(T))) return nullptr;
        return static_cast<T*>(it->second.value.get());
    }
    template <class T>
    void set_state(const std::string& key, T value) {
        std::lock_guard lock(shared_->mutex);
        shared_->state.insert_or_assign(key, make_slot(std::make_shared<T>(std::move(value))));
    }
    /// A copy of the value under `key`, or `fallback` when there is none; an
    /// InternalError naming the key when it holds another type.
    template <class T>
    [[nodiscard]] T get_state(const std::string& key, T fallback = T{}) const {
        std::lock_guard lock(shared_->mutex);
        auto it = shared_->state.find(key);
        if (it == shared_->state.end()) return fallback;
        if (it->second.type != std::type_index(typeid(T))) throw InternalError("context state '" + key + "' holds another type");
        return *static_cast<const T*>(it->second.value.get());
    }
    /// Read-modify-write under the store's lock: `change(T&)` on the value (default-
    /// constructed first if absent). Concurrent updates of one key never lose a write.
    template <class T, class F>
    void update_state(const std::string& key, F&& change) {
        std::lock_guard lock(shared_->mutex);
        auto it = shared_->state.find(key);
        if (it == shared_->state.end()) it = shared_->state.emplace(key, make_slot(std::make_shared<T>())).first;
        if (it->second.type != std::type_index(typeid(T))) throw InternalError("context state '" + key + "' holds another type");
        std::forward<F>(change)(*static_cast<T*>(it->second.value.get()));
    }
    [[nodiscard]] bool has_state(const std::string& key) const {
        std::lock_guard lock(shared_->mutex);
        return shared_->state.count(key) > 0;
    }
    void erase_state(const std::string& key) {
        std::lock_guard lock(shared_->mutex);
        shared_->state.erase(key);
    }

    // ---- metrics ---------------------------------------------------------------
    void add_metric(const std::string& name, double value) {
        std::lock_guard lock(shared_->mutex);
        shared_->metrics[name] += value;
    }
    [[nodiscard]] std::map<std::string, double> metrics() const {
        std::lock_guard lock(shared_->mutex);
        return shared_->metrics;
    }

    // ---- observers -------------------------------------------------------------
    void add_observer(std::shared_ptr<Observer> o) { observers_.push_back(std::move(o)); }
    void notify(const StepEvent& e) {
        for (auto& o : observers_) o->on_event(e);
    }
    [[nodiscard]] bool has_observers() const { return !observers_.empty(); }

    // ---- current step ------------------------------------------------------------
    [[nodiscard]] StepScope& step() { return scope_; }
    /// Called by a step that decides not to run (e.g. no applicable reference).
    void skip_step(std::string reason) {
        scope_.status = StepStatus::skipped;
        scope_.reason = std::move(reason);
        info("Step " + scope_.alias + " skipped: " + scope_.reason);
    }
    /// Called by a step that tried and did not succeed but returns its input.
    void fail_step(std::string reason) {
        scope_.status = StepStatus::failed;
        scope_.reason = std::move(reason);
        warn("Step " + scope_.alias + " failed: " + scope_.reason);
    }
    // ---- the run ----------------------------------------------------------------
    [[nodiscard]] const RunInfo& run_info() const { return run_; }
    /// The next step of the current run starts (its position for progress lines).
    void advance_step() { ++run_.step_index; }
    /// Set the primary input of what runs next (the command line, per input file).
    void set_input_filename(std::string path) { run_.input_filename = std::move(path); }

    /// `info` is the run's until the guard ends; then the enclosing run's comes back.
    class RunInfoScope {
    public:
        RunInfoScope(Context& ctx, RunInfo info) : ctx_(ctx), previous_(std::exchange(ctx.run_, std::move(info))) {}
        ~RunInfoScope() { ctx_.run_ = std::move(previous_); }
        RunInfoScope(const RunInfoScope&) = delete;  // returned as a prvalue only (guaranteed elision)
        RunInfoScope& operator=(const RunInfoScope&) = delete;

    private:
        Context& ctx_;
        RunInfo previous_;
    };
    [[nodiscard]] RunInfoScope scoped_run_info(RunInfo info) { return RunInfoScope(*this, std::move(info)); }

    /// Swap in a new scope for a nested step run; returns the previous one.
    StepScope enter_step(StepScope s) { return std::exchange(scope_, std::move(s)); }
    StepScope leave_step(StepScope previous) { return std::exchange(scope_, std::move(previous)); }

private:
    [[nodiscard]] std::string logger_name() const {
        std::string n = "orrery";
        if (!run_.pipeline_name.empty()) n += "." + run_.pipeline_name;
        if (!scope_.alias.empty()) n += "." + scope_.alias;
        return n;
    }

    struct Slot {
        std::type_index type;
        std::shared_ptr<void> value;
        std::shared_ptr<ReferenceHolder> holder;  // the same object, when it holds references
    };
    /// What a context shares with its forks.
    struct Shared {
        std::mutex mutex;  // guards everything here, and each context's reference-run counters
        std::map<std::type_index, std::shared_ptr<void>> services;
        std::map<std::string, Slot> state;
        std::map<std::string, double> metrics;
    };
    struct ForkTag {};
    // Every member from the parent in the init list: a graph forks once per stage attempt,
    // and the default initializers would read the CPU count from sysfs and allocate twice.
    Context(const Context& parent, ForkTag)
        : shared_(parent.shared_), logger_(parent.logger_), resolver_(parent.resolver_), parallel_for_(parent.parallel_for_),
          max_threads_(parent.max_threads_), cancel_flags_(fork_flags(parent.cancel_flags_)), deadline_check_(parent.deadline_check_),
          retention_(parent.retention_), observers_(parent.observers_), run_(parent.run_) {}
    using CancelFlags = std::vector<std::shared_ptr<std::atomic<bool>>>;
    static CancelFlags fork_flags(const CancelFlags& parent) {
        CancelFlags f;
        f.reserve(parent.size() + 1);
        f.insert(f.end(), parent.begin(), parent.end());
        f.push_back(std::make_shared<std::atomic<bool>>(false));
        return f;
    }

    std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
    std::shared_ptr<Logger> logger_;
    std::shared_ptr<const ReferenceResolver> resolver_ = std::make_shared<const ReferenceResolver>();
    ParallelFor parallel_for_;
    int max_threads_ = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::shared_ptr<std::atomic<bool>>> cancel_flags_{std::make_shared<std::atomic<bool>>(false)};  // own last
    std::function<bool()> deadline_check_;
    template <class T>
    static Slot make_slot(std::shared_ptr<T> p) {
        Slot s{typeid(T), p, nullptr};
        if constexpr (std::is_base_of_v<ReferenceHolder, T>) s.holder = p;
        return s;
    }
    ReferenceRetention retention_ = ReferenceRetention::until_last_use;
    int run_depth_ = 0;
    std::map<std::string, int, std::less<>> pending_uses_;  // reference type -> steps of the run still to end
    std::vector<std::shared_ptr<Observer>> observers_;
    StepScope scope_;
    RunInfo run_;
};

}  // namespace orrery
