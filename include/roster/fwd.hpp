// roster/fwd.hpp — forward declarations of roster's public class templates
// and the friendly aliases, for headers that only name the types.
//
// Include roster/registry.hpp (or roster/roster.hpp) to use them.
#pragma once

#include "roster/config.hpp" // ROSTER_BEGIN_NAMESPACE

#include <string> // std::string: the key type of roster::registry

ROSTER_BEGIN_NAMESPACE

template <class Key, class Value, class... Policies>
class basic_registry;

/// A registry keyed by std::string (see roster/registry.hpp).
template <class Value, class... Policies>
using registry = basic_registry<std::string, Value, Policies...>;

template <class Key, class Signature, class... Policies>
class basic_factory;
/// A factory keyed by std::string (see roster/factory.hpp).
template <class Signature, class... Policies>
using factory = basic_factory<std::string, Signature, Policies...>;

template <class Name, class Version>
struct versioned_key;
template <class Name, class Version, class Value, class... Policies>
class basic_versioned_registry;
/// A versioned registry with std::string names (see roster/versioned.hpp).
template <class Version, class Value, class... Policies>
using versioned_registry = basic_versioned_registry<std::string, Version, Value, Policies...>;

template <class... Policies>
class basic_scoped_registry;
/// Scopes chained to a parent and bound to a context (see roster/scoped.hpp).
using scoped_registry = basic_scoped_registry<>;
class scope_context;

template <class Handler, class... Policies>
class handler_registry; // roster/handler.hpp
template <class Handler>
class route_match;
class route_pattern;

template <class Value, class... Policies>
class hierarchical_registry; // roster/hierarchical.hpp
template <class Value>
struct prefix_match;
enum class tree_nodes;

template <class Value, class... Policies>
class tagged_registry; // roster/tagged.hpp
template <class Value>
class tagged_entry;
class tag;
class tag_filter;

template <class Handler, class... Policies>
class sniffing_registry; // roster/sniffing.hpp
template <class Handler>
class sniff_match;
class magic_pattern;

template <class Registry>
class basic_registration;
template <class Registry>
class basic_add_result;
class scoped_registration;

template <class Tag>
class basic_catalog; // roster/catalog.hpp
template <class Catalog>
class basic_catalog_subscription;
/// The process-wide catalog (roster/catalog.hpp).
using catalog = basic_catalog<void>;
using catalog_subscription = basic_catalog_subscription<catalog>;
struct registry_report;
struct registration_event;

template <class T>
class result;
struct error_info;
enum class errc : int;
class error;

ROSTER_END_NAMESPACE // namespace roster
