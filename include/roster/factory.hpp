// roster/factory.hpp — roster::basic_factory, a registry of constructors
// (the Register(name, f) / New(name, cfg) pattern of Go code), its alias roster::factory for string keys,
// and the roster::on_null::probe policy.
//
// A factory stores constructors and builds a fresh product on every
// create(), from runtime arguments:
//
//   roster::factory<std::unique_ptr<store>(const config&)> stores{"stores"};
//   stores.add("sql", [](const config& c) { return std::make_unique<sql_store>(c); });
//   std::unique_ptr<store> s = stores.create("sql", cfg);       // Go: New(name, cfg)
//   roster::result<std::unique_ptr<store>> r = stores.try_create("sql", cfg);
//
// basic_factory<Key, Product(Args...), Policies...> IS a
// basic_registry<Key, std::function<Product(Args...)>, Policies...>: adding,
// removing, handles, names(), for_each(), freeze() and every policy behave
// exactly as for a registry (roster/registry.hpp). It adds create() and
// try_create(), and reads the null policy twice: at add (a null — empty —
// constructor is refused; on_null::probe also calls it once) and at create
// (a null product is a factory failure).
//
// Guarantees
// - Thread safety (default locking::shared_mutex): as the registry; create()
//   and try_create() are reads. The constructor runs OUTSIDE the registry's
//   lock: create() copies the std::function out under the read lock, then
//   calls the copy. Once frozen, entries can no longer change, so create()
//   calls the stored constructor in place, without copying and without a
//   lock. A constructor may therefore call back into its own registry —
//   create another product, even add or remove entries (before freeze).
//   @warning After freeze() concurrent create() calls run the SAME stored
//   callable concurrently: it must be safe to call concurrently (a mutable
//   lambda's captures are a data race then; before freeze each call has its
//   own copy, and changes to it are lost).
// - Exception safety: create() and try_create() never change the registry.
//   create() lets the constructor's own exception propagate unchanged;
//   try_create() catches it and returns errc::factory_failed with the
//   exception kept in error_info::cause (result::value() rethrows it as it
//   was). Both may propagate std::bad_alloc from copying the constructor or
//   wording an error. add()/try_add() keep the registry's strong guarantee.
// - Heterogeneous lookup: a factory keyed by std::string is searched by
//   std::string_view; the lookup never allocates. Copying the constructor
//   before freeze allocates only when the std::function does (libstdc++: a
//   callable that is not trivially copyable or is bigger than two pointers,
//   e.g. a lambda capturing a std::string or a std::shared_ptr); frozen
//   factories copy nothing.
//
// Complexity: create(), try_create(): average O(1) (one hash of the key) plus
// one std::function copy (none once frozen) plus the constructor. A miss is
// O(n * l * m), as the registry's: it lists the nearest names.
#pragma once

#include "roster/config.hpp"
#include "roster/detail/messages.hpp"
#include "roster/detail/type_name.hpp"
#include "roster/error.hpp"
#include "roster/policies.hpp"
#include "roster/registry.hpp"
#include "roster/source_location.hpp"
#include "roster/traits.hpp"

#include "roster/detail/format.hpp" // {fmt}: fmt::format: failure messages

#include <cstddef>     // std::size_t
#include <exception>   // std::exception, std::current_exception: a constructor's own exception
#include <functional>  // std::function: the stored constructors
#include <optional>    // std::optional: a constructor copied out of the lock, a product in flight
#include <string>      // std::string: names, the probe's reason buffer
#include <string_view> // std::string_view: refusal reasons
#include <tuple>       // std::tuple: the probe's value-initialised arguments
#include <type_traits> // std::remove_cvref_t, std::is_default_constructible_v, ...
#include <utility>     // std::forward, std::move, std::index_sequence

ROSTER_BEGIN_NAMESPACE

namespace detail {

/// nullable_value<P>, checked only for object types (the static_assert
/// above it in basic_factory already names what is wrong with the others).
template <class P>
inline constexpr bool nullable_product = [] {
    if constexpr (std::is_object_v<P>) return nullable_value<P>;
    else return true;
}();

template <class T>
struct constructor_signature {
    static constexpr bool is_function = false;
};
template <class Product, class... Args>
struct constructor_signature<std::function<Product(Args...)>> {
    static constexpr bool is_function = true;
    static constexpr bool probeable = (std::is_default_constructible_v<std::remove_cvref_t<Args>> && ...);
    using arguments = std::tuple<std::remove_cvref_t<Args>...>;

    /// Calls `f` with `args`, each passed as the constructor's parameter type
    /// expects (by value: moved; by reference: the tuple's element).
    template <std::size_t... I>
    static Product call(const std::function<Product(Args...)>& f, [[maybe_unused]] arguments& args,
                        std::index_sequence<I...>) {
        return f(std::forward<Args>(std::get<I>(args))...);
    }
};

/// The probe's refusal when the constructor threw: "... when probed: <what>".
/// Kept per thread, so the returned view stays valid until the next probe on
/// the same thread (the registry words it into its message at once).
inline std::string_view probe_threw_reason(std::string_view what) {
    thread_local std::string reason;
    reason.assign("the constructor threw when probed with value-initialised arguments: ");
    reason.append(what);
    return reason;
}

} // namespace detail

namespace on_null {
/// For factories (caddy's rule): refuses an empty constructor, as reject
/// does, AND calls the constructor once at registration, with
/// value-initialised arguments (`T{}` for each parameter type T), refusing
/// it with null_value_error if the product it returns is null
/// (null_traits<Product>) — "the constructor produced a null product when
/// probed" — or if it throws — "the constructor threw when probed with
/// value-initialised arguments: <what()>". The probe's product is destroyed
/// at once.
///
/// Needs a Value of type std::function<Product(Args...)> (a basic_factory)
/// whose argument types are all default-constructible (a static_assert
/// says so otherwise).
///
/// @warning The probe runs before the frozen and duplicate checks, outside
/// the lock: an add that is then refused (duplicate, frozen) has still
/// called the constructor once. Use it only for constructors without
/// side effects that matter, and that succeed on value-initialised
/// arguments. At create(), probe refuses null products as reject does.
struct probe {
    /// Names the family: an on_null:: policy.
    using roster_policy_category = policy_category::on_null;
    /// true: a factory's create() refuses a null product, as on_null::reject does.
    static constexpr bool refuses_null = true;

    /// Empty to accept `constructor`, else the reason it is refused. Calls
    /// the constructor once (not when it is empty). A throwing constructor
    /// is refused, not propagated; only std::bad_alloc (wording the reason)
    /// may escape. Runs on the adding thread, before the registry locks.
    template <class V>
    static std::string_view refusal(const V& constructor) {
        using signature = detail::constructor_signature<V>;
        static_assert(signature::is_function,
                      "roster::on_null::probe is for factories: the registry's Value must be "
                      "std::function<Product(Args...)> (use roster::basic_factory / roster::factory)");
        if constexpr (signature::is_function) {
            static_assert(signature::probeable,
                          "roster::on_null::probe calls each constructor once at registration with "
                          "value-initialised arguments, so every argument type of the factory's signature must be "
                          "default-constructible; use roster::on_null::reject (the default) for this factory");
            if (null_traits<V>::is_null(constructor)) return "the value is null";
            return probe_call(constructor);
        } else {
            return {};
        }
    }

private:
    template <class V>
    static std::string_view probe_call(const V& constructor) {
        using signature = detail::constructor_signature<V>;
        typename signature::arguments args{}; // value-initialised
#if ROSTER_HAS_EXCEPTIONS
        try {
#endif
            const auto product =
                signature::call(constructor, args, std::make_index_sequence<std::tuple_size_v<decltype(args)>>{});
            using product_type = std::remove_cvref_t<decltype(product)>;
            if (null_traits<product_type>::is_null(product)) return "the constructor produced a null product when probed";
            return {};
#if ROSTER_HAS_EXCEPTIONS
        } catch (const std::exception& e) {
            return detail::probe_threw_reason(e.what());
        } catch (...) {
            return detail::probe_threw_reason("an exception that is not a std::exception");
        }
#endif
    }
};
} // namespace on_null

/// A registry of constructors keyed by `Key`: see the primary template's
/// specialisation for `Product(Args...)` below. Anything else as Signature
/// is a static_assert.
template <class Key, class Signature, class... Policies>
class basic_factory {
    static_assert(detail::dependent_false<Signature>,
                  "roster::basic_factory<Key, Signature, Policies...>: Signature must be a function type "
                  "Product(Args...), e.g. roster::factory<std::unique_ptr<store>(const config&)>");
};

/// A registry of constructors `Product(Args...)` keyed by `Key`, configured
/// by policy tags (roster/policies.hpp, plus on_null::probe) in any order.
///
/// Every registry member (add, try_add, get, visit, at, try_at, contains,
/// location, names, for_each, size, empty, state, remove, try_remove,
/// freeze, frozen, frozen_at, name, handles) is inherited unchanged from
/// basic_registry<Key, std::function<Product(Args...)>, Policies...>; they
/// take and return constructors. Any callable convertible to that
/// std::function can be added (a lambda, a function pointer, a functor).
///
/// @tparam Key      as for basic_registry; std::string keys are looked up by
///                  std::string_view.
/// @tparam Product  what create() returns: a movable object type — a value,
///                  std::unique_ptr<T> or std::shared_ptr<T> (null ones are
///                  refused at create unless on_null::allow), or anything
///                  null_traits understands.
/// @tparam Args     the runtime arguments create() passes on (by value,
///                  reference or rvalue reference, as std::function does;
///                  move-only types work).
/// @tparam Policies any of on_duplicate::*, on_null::* (reject, allow,
///                  probe), locking::*, storage::*.
template <class Key, class Product, class... Args, class... Policies>
class basic_factory<Key, Product(Args...), Policies...>
    : public basic_registry<Key, std::function<Product(Args...)>, Policies...> {
    static_assert(std::is_object_v<Product> && !std::is_array_v<Product> && !std::is_const_v<Product> &&
                      std::is_move_constructible_v<Product>,
                  "roster::basic_factory<Key, Product(Args...)>: Product must be a non-const, movable object type "
                  "(a value, std::unique_ptr<T>, std::shared_ptr<T>, ...), not void or a reference");
    static_assert(detail::nullable_product<Product>,
                  "roster::basic_factory: roster::null_traits<Product>::is_null is unusable");

    using base = basic_registry<Key, std::function<Product(Args...)>, Policies...>;
    using typename base::map_type;

public:
    /// The type create() returns.
    using product_type = Product;
    /// The constructor's signature, `Product(Args...)`.
    using signature = Product(Args...);
    /// What is stored: `std::function<Product(Args...)>` (also value_type).
    using constructor_type = std::function<Product(Args...)>;
    using typename base::key_type;
    using typename base::lookup_type;
    using typename base::null_policy;
    using typename base::value_type;

    static_assert(!std::is_same_v<null_policy, on_null::probe> ||
                      (std::is_default_constructible_v<std::remove_cvref_t<Args>> && ...),
                  "roster::on_null::probe calls each constructor once at registration with value-initialised "
                  "arguments, so every argument type of the factory's signature must be default-constructible; use "
                  "roster::on_null::reject (the default) for this factory");

    /// Whether create() refuses a null product (every null policy but
    /// on_null::allow, which hands null products back as they are).
    static constexpr bool refuses_null_products = null_policy::refuses_null;

    /// Creates an empty factory called `name` (used in every message; the
    /// default spells the key type and signature). Not thread safe (nothing
    /// else can use the object yet).
    /// @throws duplicate_key_error under listing::listed if the name is taken.
    explicit basic_factory(std::string name = default_name(), source_location where = source_location::current())
        : base(std::move(name), where) {}

    /// Creates a factory called `name` holding a copy of `other`'s
    /// constructors and their source locations, taken under `other`'s read
    /// lock (safe while other threads use `other`); not frozen, sharing no
    /// handles with `other`. O(n).
    basic_factory(const basic_factory& other, std::string name, source_location where = source_location::current())
        : base(other, std::move(name), where) {}

    basic_factory(const basic_factory&) = delete;
    basic_factory& operator=(const basic_factory&) = delete;
    ~basic_factory() = default;

    // -------------------------------------------------------------- create

    /// Builds a fresh product: calls the constructor registered under `key`
    /// with `args`, outside the registry's lock.
    ///
    /// @param key   the constructor's key (a std::string_view for string
    ///              keys: no allocation to look it up).
    /// @param args  passed on to the constructor as std::function does
    ///              (by-value parameters are moved on).
    /// @param where the call site; defaulted, so `create(key, args...)`
    ///              records it. Pass one explicitly to report a caller's
    ///              location from a wrapper.
    /// @returns the product.
    /// @throws not_found_error (naming the key, `where` and the nearest
    ///         registered names) if no constructor is registered under `key`;
    ///         whatever the constructor throws, unchanged;
    ///         factory_error if the product is null (unless on_null::allow)
    ///         or the constructor is empty (only storable under
    ///         on_null::allow).
    /// Thread safe: a read (shared lock, released before the constructor
    /// runs; no lock once frozen). Never changes the registry.
    [[nodiscard]] Product create(lookup_type key, Args... args,
                                 source_location where = source_location::current()) const {
        std::optional<constructor_type> copy;
        result<located> found = locate(key, copy, where);
        if (!found) roster::raise(found.error());
        const constructor_type& constructor = *found->constructor;
        if (!constructor) roster::raise(empty_constructor(key, where, found->added_at));
        Product product = constructor(std::forward<Args>(args)...);
        if (refuses_null_products && null_traits<Product>::is_null(product)) {
            roster::raise(null_product(key, where, found->added_at));
        }
        return product;
    }

    /// create() that returns every failure instead of raising it:
    /// - no constructor under `key`: errc::not_found, the same message
    ///   create() throws (key, `where`, nearest names);
    /// - the constructor threw: errc::factory_failed; the message names the
    ///   registry, the key, `where`, where the constructor was added and the
    ///   exception's what() (for a std::exception); error().cause holds the
    ///   exception itself, so `.value()` and roster::raise() rethrow it
    ///   unchanged;
    /// - a null product (unless on_null::allow) or an empty constructor:
    ///   errc::factory_failed, no cause; `.value()` throws factory_error.
    ///
    /// @returns the product, or the error.
    /// @throws never a roster error nor the constructor's exception; may
    ///         propagate std::bad_alloc (copying the constructor, wording a
    ///         message). Thread safety as create().
    result<Product> try_create(lookup_type key, Args... args,
                               source_location where = source_location::current()) const {
        std::optional<constructor_type> copy;
        result<located> found = locate(key, copy, where);
        if (!found) return found.error();
        const constructor_type& constructor = *found->constructor;
        if (!constructor) return empty_constructor(key, where, found->added_at);
        std::optional<Product> product;
#if ROSTER_HAS_EXCEPTIONS
        try {
            product.emplace(constructor(std::forward<Args>(args)...));
        } catch (const std::exception& e) {
            return detail::factory_failed_message(this->name(), detail::describe_key(key), where, found->added_at,
                                                  fmt::format("threw: {}", e.what()), std::current_exception());
        } catch (...) {
            return detail::factory_failed_message(this->name(), detail::describe_key(key), where, found->added_at,
                                                  "threw an exception that is not a std::exception",
                                                  std::current_exception());
        }
#else
        product.emplace(constructor(std::forward<Args>(args)...));
#endif
        if (refuses_null_products && null_traits<Product>::is_null(*product)) {
            return null_product(key, where, found->added_at);
        }
        return std::move(*product);
    }

private:
    /// A constructor found by locate().
    struct located {
        const constructor_type* constructor; // the stored one (frozen) or the caller's copy
        source_location added_at;
    };

    static std::string default_name() {
        return fmt::format("basic_factory<{}, {}>", detail::type_name<Key>(), detail::type_name<signature>());
    }

    /// Finds the constructor under `key`. Frozen: points at the stored one,
    /// which can no longer change or go away. Otherwise: copies it into
    /// `copy` under the read lock and points at the copy, so the caller runs
    /// it after the lock is released. A miss is the registry's own message.
    result<located> locate(lookup_type key, std::optional<constructor_type>& copy,
                           const source_location& where) const {
        const bool in_place = this->frozen();
        return this->read([&](const map_type& map) -> result<located> {
            const auto* found = this->find_entry(map, key);
            if (found == nullptr) {
                this->count_miss(key);
                return this->miss(map, key, where);
            }
            this->count_hit(found->second);
            if (in_place) return located{&found->second.value, found->second.where};
            copy.emplace(found->second.value);
            return located{&*copy, found->second.where};
        });
    }

    error_info null_product(lookup_type key, const source_location& where, const source_location& added_at) const {
        return detail::factory_failed_message(this->name(), detail::describe_key(key), where, added_at,
                                              fmt::format("produced a null {}", detail::type_name<Product>()));
    }

    error_info empty_constructor(lookup_type key, const source_location& where,
                                 const source_location& added_at) const {
        return detail::factory_failed_message(this->name(), detail::describe_key(key), where, added_at,
                                              "is empty (an empty std::function, stored under on_null::allow)");
    }
};

/// The common case: a factory keyed by std::string, looked up by
/// std::string_view.
template <class Signature, class... Policies>
using factory = basic_factory<std::string, Signature, Policies...>;

ROSTER_END_NAMESPACE // namespace roster
