// roster/static_registration.hpp — registering at static-initialisation time,
// in a way that survives real linking.
//
// Gives:
//   roster::registry_domain<Domain>           the concept a domain tag type meets;
//   roster::default_registry<Domain>()        one global registry per domain tag
//                                             type: built on first use, never destroyed;
//   roster::default_registry_override<Domain> RAII for tests: installs a fresh
//                                             registry (roster::fresh_registry), a named
//                                             copy of the current one
//                                             (roster::copy_of_current), or one of yours,
//                                             and puts the previous one back when destroyed;
//   roster::default_registry_slot<Registry>   the atomic pointer behind a default registry;
//   ROSTER_DECLARE_DEFAULT_REGISTRY(...) / ROSTER_DEFINE_DEFAULT_REGISTRY(Domain)
//                                             pin a domain's default registry to ONE
//                                             definition site (one shared library / DLL);
//   ROSTER_REGISTER(registry, args...)        registers at static init from a .cpp,
//                                             recording that line; a failure prints
//                                             its message and aborts;
//   ROSTER_REGISTER_SCOPED(registry, args...) the same, and the entry is removed again
//                                             when the file's static objects are destroyed
//                                             (a plugin's dlclose, or program exit);
//   ROSTER_LINK_ANCHOR(name) / ROSTER_USE_LINK_ANCHOR(name)
//                                             make the linker keep a static library's
//                                             object file without changing link flags;
//   roster::census / roster::try_census       check that every expected key is
//                                             registered: ONE error naming every
//                                             missing key, the registry, and the fixes.
// The CMake helper roster_link_whole_archive() (cmake/RosterLinkWholeArchive.cmake,
// installed with the package) is the build-side half of this header. Guide:
// docs/static-registration.md.
//
//   struct codecs {                                 // a domain: one tag type per global registry
//       using registry_type = roster::registry<std::shared_ptr<const codec>>;
//       static constexpr std::string_view name = "codecs";
//   };
//   // gzip.cpp, at namespace scope (any namespace, any number per file):
//   ROSTER_REGISTER(roster::default_registry<codecs>(), "gzip", std::make_shared<gzip_codec>());
//   // main.cpp:
//   roster::census(roster::default_registry<codecs>(), {"gzip", "zstd"});   // all there?
//
// Guarantees
// - default_registry<Domain>() may be called from any static initialiser of
//   any translation unit: the registry is created on first use (a
//   thread-safe function-local static), whatever the initialisation order.
// - The default registry is never destroyed (deliberately leaked), so lookups
//   and handle removals during static destruction stay valid.
// - One default registry per domain per program: header-only, the accessor's
//   static has vague linkage and ELF merges it across shared objects whose
//   dynamic symbols are visible (a dlopen()ed plugin binds to the host's copy
//   when the host exports its symbols: CMake ENABLE_EXPORTS / -rdynamic).
//   Where that cannot hold (Windows DLLs, -fvisibility=hidden), pin the
//   definition with ROSTER_DECLARE_DEFAULT_REGISTRY / ROSTER_DEFINE_DEFAULT_REGISTRY.
// - default_registry<Domain>() is lock-free after the first call: the
//   static's initialisation check and one acquire load of the slot's pointer.
// - ROSTER_REGISTER never lets an exception escape into static
//   initialisation: a refused registration prints
//   "roster: fatal error: static registration at <file:line> failed: <why>"
//   to stderr and calls std::abort().
// - Exception safety: default_registry() can only throw std::bad_alloc, on
//   its first call; an override that fails to build its registry installs
//   nothing; census() throws only its not_found_error (or std::bad_alloc).
//
// Non-guarantees
// - @warning A default_registry_override must not be created or destroyed
//   while other threads use that domain's default registry, and a reference
//   or handle obtained from the overriding registry must not outlive the
//   override. Overrides of one domain must be destroyed in reverse order of
//   creation (scopes do that for you).
// - Static initialisers of a translation unit that nothing references may
//   never run: a static library's unreferenced object files are not linked
//   at all. That is what roster_link_whole_archive, the link anchors, the
//   explicit-registration recipe and the census are for (see
//   docs/static-registration.md).
// - @warning With g++ (STB_GNU_UNIQUE symbols), a dlopen()ed plugin that is
//   the first module to instantiate a header-only default registry (or any
//   inline function's static) is never unloaded: dlclose() does nothing and
//   its ROSTER_REGISTER_SCOPED entries stay. Build plugins with
//   -fno-gnu-unique, and register into domains the host uses or that are
//   pinned: a default registry a plugin provides itself leaks at each unload.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp"
#include "roster/detail/type_name.hpp"
#include "roster/error.hpp"
#include "roster/registry.hpp"
#include "roster/source_location.hpp"

#include "roster/detail/format.hpp" // {fmt}: fmt::format: the census message

#include <atomic>           // std::atomic: the default registry's slot
#include <concepts>         // std::same_as, std::convertible_to
#include <cstddef>          // std::size_t
#include <cstdio>           // std::fprintf, stderr: a failed static registration
#include <cstdlib>          // std::abort
#include <exception>        // std::exception: caught at static init
#include <initializer_list> // census({"gzip", "zstd"})
#include <iterator>         // std::begin, std::end: census over any range
#include <memory>           // std::unique_ptr: the override's own registry
#include <string>           // std::string: names and messages
#include <string_view>      // std::string_view: Domain::name
#include <type_traits>      // std::remove_cvref_t, std::is_void_v
#include <utility>          // std::move

ROSTER_BEGIN_NAMESPACE

// ------------------------------------------------------------------ domains

/// A domain tag type: names one global registry and its type. It needs
/// `using registry_type = R;`, R a registry type constructible from a std::string,
/// and may have `static constexpr std::string_view name = "...";` (the
/// registry's name in messages; the tag's type name otherwise).
template <class Domain>
concept registry_domain = requires { typename Domain::registry_type; } &&
                          std::constructible_from<typename Domain::registry_type, std::string>;

/// Where a domain's current default registry is: an atomic pointer to it.
/// Trivially destructible, so the slot itself is never torn down either.
/// You name this type only in ROSTER_DECLARE_DEFAULT_REGISTRY's expansion.
template <class Registry>
class default_registry_slot {
public:
    /// A slot pointing at `initial`, which must stay alive for good.
    explicit constexpr default_registry_slot(Registry* initial) noexcept : current_(initial) {}

    /// The registry currently installed. One acquire load, lock-free.
    Registry& get() const noexcept { return *current_.load(std::memory_order_acquire); }

    /// Installs `next` and returns the registry it replaces.
    Registry* exchange(Registry* next) noexcept { return current_.exchange(next, std::memory_order_acq_rel); }

private:
    std::atomic<Registry*> current_;
};

namespace detail {

/// Domain::name when the domain has one, else the tag's type name.
template <class Domain>
constexpr std::string_view domain_name() noexcept {
    if constexpr (requires { std::string_view(Domain::name); }) return std::string_view(Domain::name);
    else return type_name<Domain>();
}

/// The domain's first default registry, allocated once and never deleted.
template <class Domain>
typename Domain::registry_type* new_default_registry() {
    return new typename Domain::registry_type(std::string(domain_name<Domain>())); // leaked on purpose
}

/// Whether the domain pinned its slot with ROSTER_DECLARE_DEFAULT_REGISTRY.
template <class Domain>
concept pinned_domain = requires { Domain::roster_default_registry_slot(); };

/// The domain's slot: its pinned definition, or a function-local static.
template <class Domain>
default_registry_slot<typename Domain::registry_type>& default_slot() {
    using slot_type = default_registry_slot<typename Domain::registry_type>;
    if constexpr (pinned_domain<Domain>) {
        static_assert(std::same_as<decltype(Domain::roster_default_registry_slot()), slot_type&>,
                      "roster: Domain::roster_default_registry_slot() must be declared by "
                      "ROSTER_DECLARE_DEFAULT_REGISTRY() inside the domain, after its registry_type");
        return Domain::roster_default_registry_slot();
    } else {
        // Built on first use from whichever static initialiser gets here
        // first; the slot is trivially destructible and the registry leaked.
        static slot_type slot{new_default_registry<Domain>()};
        return slot;
    }
}

} // namespace detail

/// The default (global) registry of `Domain`.
///
/// Safe from any static initialiser in any translation unit (created on
/// first use) and during static destruction (never destroyed). Thread safe;
/// lock-free after the first call. Returns the registry a
/// default_registry_override installed, while one is alive.
/// @throws std::bad_alloc (first call only).
template <registry_domain Domain>
typename Domain::registry_type& default_registry() {
    return detail::default_slot<Domain>().get();
}

// ----------------------------------------------------------------- override

/// Tag: default_registry_override installs a fresh, empty registry.
struct fresh_registry_t {
    explicit fresh_registry_t() = default;
};
inline constexpr fresh_registry_t fresh_registry{};

/// Tag: default_registry_override installs a named copy of the current
/// default registry (snapshot-and-restore).
struct copy_of_current_t {
    explicit copy_of_current_t() = default;
};
inline constexpr copy_of_current_t copy_of_current{};

/// RAII for tests: while alive, default_registry<Domain>() returns another
/// registry; when destroyed, the previous one is back exactly as it was.
///
///   roster::default_registry_override<codecs> empty;                          // fresh, empty
///   roster::default_registry_override<codecs> snap{roster::copy_of_current};  // snapshot
///   roster::default_registry_override<codecs> mine{my_registry};              // yours
///
/// Neither copyable nor movable. @warning see the header's non-guarantees:
/// no other thread may use the domain's default registry while an override
/// is created or destroyed; destroy nested overrides in reverse order.
template <registry_domain Domain>
class default_registry_override {
public:
    /// The domain's registry type: what the override installs.
    using registry_type = typename Domain::registry_type;

    /// Installs a fresh, empty registry named like the domain, recorded as
    /// constructed at `where` (the override's own line).
    default_registry_override(source_location where = source_location::current())
        : default_registry_override(fresh_registry, std::string(detail::domain_name<Domain>()), where) {}

    /// Installs a fresh, empty registry called `name`, constructed at `where`.
    explicit default_registry_override(fresh_registry_t, std::string name = std::string(detail::domain_name<Domain>()),
                                       source_location where = source_location::current())
        : owned_(make_registry(where, std::move(name))) {
        install(*owned_);
    }

    /// Installs a copy of the current default registry (values, source
    /// locations; not frozen, no shared handles), called `name` (by default
    /// the current one's name) and constructed at `where`. Changes made
    /// during the override go to the copy, so destroying the override
    /// restores the snapshot. Needs registry_type's named copy constructor.
    explicit default_registry_override(copy_of_current_t, source_location where = source_location::current())
        requires std::constructible_from<registry_type, const registry_type&, std::string>
        : default_registry_override(copy_of_current, default_registry<Domain>().name(), where) {}

    /// As above, naming the copy `name`.
    explicit default_registry_override(copy_of_current_t, std::string name,
                                       source_location where = source_location::current())
        requires std::constructible_from<registry_type, const registry_type&, std::string>
        : owned_(make_registry(where, default_registry<Domain>(), std::move(name))) {
        install(*owned_);
    }

    /// Installs `replacement`, which you own and which must outlive this
    /// override.
    explicit default_registry_override(registry_type& replacement) { install(replacement); }

    default_registry_override(const default_registry_override&) = delete;
    default_registry_override& operator=(const default_registry_override&) = delete;

    /// Puts the previous default registry back, then destroys the registry
    /// this override created (if it created one).
    ~default_registry_override() { detail::default_slot<Domain>().exchange(previous_); }

    /// The registry installed by this override.
    registry_type& get() const noexcept { return *installed_; }

    /// The registry that was the default before, and will be again.
    registry_type& previous() const noexcept { return *previous_; }

private:
    // The registry, told where it was constructed (the override's caller,
    // which messages and reports then name) when its type takes a location.
    template <class... Args>
    static std::unique_ptr<registry_type> make_registry(const source_location& where, Args&&... args) {
        if constexpr (std::constructible_from<registry_type, Args..., source_location>) {
            return std::make_unique<registry_type>(std::forward<Args>(args)..., where);
        } else {
            return std::make_unique<registry_type>(std::forward<Args>(args)...);
        }
    }

    void install(registry_type& replacement) {
        installed_ = &replacement;
        previous_ = detail::default_slot<Domain>().exchange(installed_);
    }

    std::unique_ptr<registry_type> owned_; // destroyed after the destructor body restored the previous one
    registry_type* installed_ = nullptr;
    registry_type* previous_ = nullptr;
};

// ------------------------------------------------------------------- census

namespace detail {

/// "3 registered: "a", "b", "c"" for the census message: the registered
/// names (up to `limit`), when the registry can list them.
template <class Registry>
std::string registered_summary(const Registry& registry, std::size_t limit = 10) {
    if constexpr (requires { registry.names(); }) {
        const auto names = registry.names();
        if (names.empty()) return "the registry is empty";
        std::string out = fmt::format("{} registered: ", names.size());
        std::size_t shown = 0;
        for (const auto& key : names) {
            if (shown == limit) {
                out += fmt::format(", ... ({} more)", names.size() - shown);
                break;
            }
            if (shown != 0) out += ", ";
            out += describe_key(key);
            ++shown;
        }
        return out;
    } else {
        return "registered names unavailable";
    }
}

template <class Registry, class Keys>
result<void> census_of(const Registry& registry, const Keys& expected, const source_location& where) {
    std::string missing;
    std::size_t missing_count = 0;
    std::size_t expected_count = 0;
    for (const auto& key : expected) {
        ++expected_count;
        if (registry.contains(key)) continue;
        if (missing_count++ != 0) missing += ", ";
        missing += describe_key(key);
    }
    if (missing_count == 0) return {};
    return census_message(registry.name(), where, missing_count, expected_count, missing,
                          registered_summary(registry));
}

} // namespace detail

/// Checks that every key in `expected` is registered in `registry`.
///
/// @returns success, or ONE not_found error whose message names the
///          registry, `where`, every missing key (in the order given), what
///          is registered (up to 10 names) and the static-library fixes.
/// Works with any registry that has name() and contains(key). Takes each
/// lookup's read lock in turn: not a snapshot. O(k) lookups for k keys,
/// plus O(n log n) to list the registered names on failure.
template <class Registry, class Keys>
    requires requires(const Registry& registry, const Keys& keys) {
        registry.name();
        registry.contains(*std::begin(keys));
        std::end(keys);
    }
result<void> try_census(const Registry& registry, const Keys& expected,
                        source_location where = source_location::current()) {
    return detail::census_of(registry, expected, where);
}

/// try_census() for a braced list: `try_census(codecs, {"gzip", "zstd"})`.
template <class Registry>
result<void> try_census(const Registry& registry,
                        std::initializer_list<std::remove_cvref_t<typename Registry::lookup_type>> expected,
                        source_location where = source_location::current()) {
    return detail::census_of(registry, expected, where);
}

/// try_census() that throws its error.
/// @throws not_found_error naming every missing key.
template <class Registry, class Keys>
    requires requires(const Registry& registry, const Keys& keys) {
        registry.name();
        registry.contains(*std::begin(keys));
        std::end(keys);
    }
void census(const Registry& registry, const Keys& expected, source_location where = source_location::current()) {
    detail::census_of(registry, expected, where).value();
}

/// census() for a braced list: `census(codecs, {"gzip", "zstd"})`.
/// @throws not_found_error naming every missing key.
template <class Registry>
void census(const Registry& registry,
            std::initializer_list<std::remove_cvref_t<typename Registry::lookup_type>> expected,
            source_location where = source_location::current()) {
    detail::census_of(registry, expected, where).value();
}

// ------------------------------------------------------ static registration

namespace detail {

/// Prints why a static registration failed, then aborts: at static
/// initialisation nothing could catch an exception.
[[noreturn]] inline void static_registration_failed(const source_location& where, const char* why) noexcept {
    std::fprintf(stderr, "roster: fatal error: static registration at %s:%lu failed: %s\n", where.file_name(),
                 static_cast<unsigned long>(where.line()), why);
    std::fflush(stderr);
    std::abort();
}

/// Empty stand-in for the handle an unscoped registration does not keep.
struct no_handle {};

/// The object ROSTER_REGISTER / ROSTER_REGISTER_SCOPED define: runs the add
/// at construction; the scoped one keeps its handle and removes the entry
/// when destroyed.
template <bool Scoped>
class static_registration {
public:
    template <class Add>
    static_registration(Add add, const source_location& where) noexcept {
#if ROSTER_HAS_EXCEPTIONS
        try {
            run(add, where);
        } catch (const std::exception& e) {
            static_registration_failed(where, e.what());
        } catch (...) {
            static_registration_failed(where, "an exception not derived from std::exception");
        }
#else
        run(add, where);
#endif
    }

    static_registration(const static_registration&) = delete;
    static_registration& operator=(const static_registration&) = delete;
    ~static_registration() = default;

private:
    template <class Add>
    void run(Add& add, const source_location& where) {
        if constexpr (std::is_void_v<decltype(add(where))>) {
            static_assert(!Scoped, "ROSTER_REGISTER_SCOPED: this registry's add() returns no handle; "
                                   "use ROSTER_REGISTER");
            add(where);
        } else {
            auto outcome = add(where);
            // Registries whose policy returns duplicates instead of throwing
            // (on_duplicate::return_error) refuse in the result: just as loud.
            if constexpr (requires {
                              { outcome.status() == add_status::refused } -> std::convertible_to<bool>;
                              outcome.error().message.c_str();
                          }) {
                if (outcome.status() == add_status::refused)
                    static_registration_failed(where, outcome.error().message.c_str());
            }
            if constexpr (Scoped) {
                static_assert(requires { scoped_registration(std::move(outcome).handle()); },
                              "ROSTER_REGISTER_SCOPED: this registry's add() result has no handle() that a "
                              "roster::scoped_registration can hold");
                handle_ = scoped_registration(std::move(outcome).handle());
            }
        }
    }

    [[no_unique_address]] std::conditional_t<Scoped, scoped_registration, no_handle> handle_{};
};

} // namespace detail
ROSTER_END_NAMESPACE // namespace roster

#define ROSTER_DETAIL_CONCAT_IMPL(a, b) a##b
#define ROSTER_DETAIL_CONCAT(a, b) ROSTER_DETAIL_CONCAT_IMPL(a, b)
#if defined(__COUNTER__)
#    define ROSTER_DETAIL_COUNTER __COUNTER__
#else
#    define ROSTER_DETAIL_COUNTER __LINE__
#endif
/// A name unique within the translation unit.
#define ROSTER_DETAIL_UNIQUE_NAME(prefix) ROSTER_DETAIL_CONCAT(prefix, ROSTER_DETAIL_COUNTER)

// The location is a constexpr variable of its own: evaluated at compile time
// at namespace scope it names no function (g++ would otherwise record
// "__static_initialization_and_destruction_0").
#define ROSTER_DETAIL_STATIC_REGISTRATION(scoped, registry, ...)                                                     \
    ROSTER_DETAIL_STATIC_REGISTRATION_N(ROSTER_DETAIL_COUNTER, scoped, registry, __VA_ARGS__)
#define ROSTER_DETAIL_STATIC_REGISTRATION_N(n, scoped, registry, ...)                                                \
    static constexpr ::roster::source_location ROSTER_DETAIL_CONCAT(roster_static_registration_where_, n) =          \
        ::roster::source_location::current();                                                                        \
    [[maybe_unused]] static const ::roster::detail::static_registration<scoped> ROSTER_DETAIL_CONCAT(                \
        roster_static_registration_, n){                                                                             \
        [](const ::roster::source_location& roster_where_) { return (registry).add(__VA_ARGS__, roster_where_); },   \
        ROSTER_DETAIL_CONCAT(roster_static_registration_where_, n)}

/// Registers at static initialisation: `(registry).add(args..., <this line>)`.
///
/// Write it at namespace scope of a .cpp file (any namespace, anonymous or
/// nested; any number of times per file) and end it with a semicolon:
///
///   ROSTER_REGISTER(roster::default_registry<codecs>(), "gzip", std::make_shared<gzip_codec>());
///   ROSTER_REGISTER(versions(), "gzip", 2, make_gzip_v2);   // any add(args..., where)
///
/// `registry` is evaluated during static initialisation: make it
/// roster::default_registry<Domain>() or a function returning a
/// function-local static, never a global object of another file (static
/// initialisation order). Wrap it in parentheses if it contains a comma.
/// The entry stays registered for good (see ROSTER_REGISTER_SCOPED). Any
/// failure (an exception, or a refused add result) prints
/// "roster: fatal error: static registration at <file:line> failed: <message>"
/// and calls std::abort(). @warning not in headers: every including file
/// would register again (a duplicate).
#define ROSTER_REGISTER(registry, ...) ROSTER_DETAIL_STATIC_REGISTRATION(false, registry, __VA_ARGS__)

/// ROSTER_REGISTER whose entry is removed, by its handle, when the file's
/// static objects are destroyed: when a dlopen()ed plugin is dlclose()d, or
/// at program exit. The registry must outlive those objects (a default
/// registry always does). Needs an add() result with handle().
#define ROSTER_REGISTER_SCOPED(registry, ...) ROSTER_DETAIL_STATIC_REGISTRATION(true, registry, __VA_ARGS__)

// ------------------------------------------------------------- pinned slots

/// Inside a domain tag type, after its `using registry_type = ...;`: declares
/// the domain's default-registry slot, to be defined ONCE with
/// ROSTER_DEFINE_DEFAULT_REGISTRY in the one library that owns it. Pass your
/// export attribute if that library is a DLL / hidden-visibility shared
/// library (`ROSTER_DECLARE_DEFAULT_REGISTRY(CODECS_API);`), nothing
/// otherwise (`ROSTER_DECLARE_DEFAULT_REGISTRY();`).
#define ROSTER_DECLARE_DEFAULT_REGISTRY(...)                                                                         \
    __VA_ARGS__ static ::roster::default_registry_slot<registry_type>& roster_default_registry_slot()

/// In exactly one .cpp of the owning library, at global scope (or in a
/// namespace enclosing Domain): defines the slot ROSTER_DECLARE_DEFAULT_REGISTRY
/// declared. `Domain` is the domain's qualified name.
#define ROSTER_DEFINE_DEFAULT_REGISTRY(Domain)                                                                       \
    ::roster::default_registry_slot<Domain::registry_type>& Domain::roster_default_registry_slot() {                 \
        static ::roster::default_registry_slot<Domain::registry_type> roster_slot_{                                  \
            ::roster::detail::new_default_registry<Domain>()};                                                       \
        return roster_slot_;                                                                                         \
    }                                                                                                                \
    static_assert(true, "")

// -------------------------------------------------------------- link anchors

#if defined(__GNUC__) || defined(__clang__)
#    define ROSTER_DETAIL_ANCHOR_VISIBILITY __attribute__((visibility("default")))
#else
#    define ROSTER_DETAIL_ANCHOR_VISIBILITY
#endif

/// In a .cpp of a static library, at namespace scope (global or a named
/// namespace): defines the link anchor `name` (an identifier, unique in the
/// program), an extern "C" function `roster_link_anchor_<name>`. A program
/// that says ROSTER_USE_LINK_ANCHOR(name) makes the linker keep this
/// object file, and so run its static registrations. One anchor keeps one
/// object file: give every registering file its own, or keep them all from
/// one file that uses the others' anchors.
#define ROSTER_LINK_ANCHOR(name)                                                                                     \
    extern "C" ROSTER_DETAIL_ANCHOR_VISIBILITY int roster_link_anchor_##name() noexcept;                             \
    extern "C" ROSTER_DETAIL_ANCHOR_VISIBILITY int roster_link_anchor_##name() noexcept { return 1; }                \
    static_assert(true, "")

/// In any .cpp of the program (or of a library object that is itself kept),
/// at namespace scope: references the anchor `name` from a static
/// initialiser, so the object file defining it is linked (and a shared
/// library defining it stays DT_NEEDED under -Wl,--as-needed). Costs one
/// call at start-up. Linking fails with "undefined reference to
/// roster_link_anchor_<name>" if no such anchor exists: misspellings are
/// caught.
#define ROSTER_USE_LINK_ANCHOR(name)                                                                                 \
    extern "C" ROSTER_DETAIL_ANCHOR_VISIBILITY int roster_link_anchor_##name() noexcept;                             \
    [[maybe_unused]] static const int ROSTER_DETAIL_UNIQUE_NAME(roster_link_anchor_use_) =                           \
        roster_link_anchor_##name()
