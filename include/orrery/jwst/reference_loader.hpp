#pragma once
// Loading reference files from inside a step: resolve the reference type through
// the context (override_<reftype> > --ref-dir > error), read and cut it to the
// science subarray, and keep it in a per-context cache: for the rest of the run
// while a later step declares the type (the default), or for the context's life
// with ReferenceRetention::keep, so a run over many exposures (or a benchmark loop)
// reads each reference file once.

#include "orrery/core/context.hpp"
#include "orrery/stpipe/reference_directory.hpp"  // stpipe::use_reference_dir for the steps' users
#include "orrery/jwst/io/reference_io.hpp"
#include "orrery/jwst/models.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <typeinfo>

namespace orrery::jwst {

/// Loaded references keyed by type, path and the science subarray they were cut for. The
/// context releases a reference type once no later step of the run declares it
/// (ReferenceRetention::until_last_use, the default) or keeps it (keep).
class ReferenceCache final : public ReferenceHolder {
public:
    template <class Ref>
    std::shared_ptr<const Ref> get_or_load(const std::string& reftype, const std::filesystem::path& path, const ModelBase& science) {
        return get_or_load<Ref>(reftype, path, science, [&] { return io::read_reference<Ref>(path, science); });
    }
    /// As above with the caller's loader (e.g. a reference read in part).
    template <class Ref, class Load>
    std::shared_ptr<const Ref> get_or_load(const std::string& reftype, const std::filesystem::path& path, const ModelBase& science,
                                           Load load) {
        const auto& m = science.meta;
        std::error_code ec;
        const auto stamp = std::filesystem::last_write_time(path, ec);
        const std::string key = std::string(typeid(Ref).name()) + "|" + path.string() + "|" +
                                std::to_string(stamp.time_since_epoch().count()) + "|" + std::to_string(m.substrt1) + "," +
                                std::to_string(m.substrt2) + "," + std::to_string(m.subsize1) + "," + std::to_string(m.subsize2);
        {
            std::lock_guard lock(mutex_);
            if (auto it = entries_.find(key); it != entries_.end()) return std::static_pointer_cast<const Ref>(it->second.value);
        }
        auto loaded = std::make_shared<const Ref>(load());
        std::lock_guard lock(mutex_);
        entries_[key] = Entry{reftype, loaded};
        return loaded;
    }
    void release_references(std::string_view reftype) override {
        std::map<std::string, Entry> dropped;  // freed outside the lock
        std::lock_guard lock(mutex_);
        for (auto it = entries_.begin(); it != entries_.end();) {
            auto next = std::next(it);
            if (reftype.empty() || it->second.reftype == reftype) dropped.insert(entries_.extract(it));
            it = next;
        }
    }
    void clear() { release_references({}); }
    [[nodiscard]] std::size_t size() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }
    /// The reference types held now.
    [[nodiscard]] std::set<std::string> reftypes() const {
        std::lock_guard lock(mutex_);
        std::set<std::string> out;
        for (const auto& [key, e] : entries_) out.insert(e.reftype);
        return out;
    }

private:
    struct Entry {
        std::string reftype;
        std::shared_ptr<const void> value;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
};

/// The context's reference cache (created on first use).
inline ReferenceCache& reference_cache(Context& ctx) {
    return ctx.state<ReferenceCache>("orrery.jwst.reference_cache");
}

/// Resolve and load the `reftype` reference for the current step; nullptr when it is "N/A".
template <class Ref>
std::shared_ptr<const Ref> load_reference(Context& ctx, const std::string& reftype, const ModelBase& science) {
    const ResolvedReference r = ctx.resolve_reference(reftype);
    if (r.not_applicable) return nullptr;
    return reference_cache(ctx).get_or_load<Ref>(reftype, r.path, science);
}

}  // namespace orrery::jwst
