#pragma once
// Loading reference files from inside a step: resolve the reference type through
// the context (override_<reftype> > --ref-dir > error), read and cut it to the
// science subarray, and keep it in a per-context cache so a pipeline run over
// many exposures (or a benchmark loop) reads each reference file once.

#include "orrery/core/context.hpp"
#include "orrery/jwst/io/reference_io.hpp"
#include "orrery/jwst/models.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <typeinfo>

namespace orrery::jwst {

/// Loaded references keyed by type, path and the science subarray they were cut for.
class ReferenceCache {
public:
    template <class Ref>
    std::shared_ptr<const Ref> get_or_load(const std::filesystem::path& path, const ModelBase& science) {
        const auto& m = science.meta;
        std::error_code ec;
        const auto stamp = std::filesystem::last_write_time(path, ec);
        const std::string key = std::string(typeid(Ref).name()) + "|" + path.string() + "|" +
                                std::to_string(stamp.time_since_epoch().count()) + "|" + std::to_string(m.substrt1) + "," +
                                std::to_string(m.substrt2) + "," + std::to_string(m.subsize1) + "," + std::to_string(m.subsize2);
        {
            std::lock_guard lock(mutex_);
            if (auto it = entries_.find(key); it != entries_.end()) return std::static_pointer_cast<const Ref>(it->second);
        }
        auto loaded = std::make_shared<const Ref>(io::read_reference<Ref>(path, science));
        std::lock_guard lock(mutex_);
        entries_[key] = loaded;
        return loaded;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        entries_.clear();
    }

private:
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<const void>> entries_;
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
    return reference_cache(ctx).get_or_load<Ref>(r.path, science);
}

}  // namespace orrery::jwst
