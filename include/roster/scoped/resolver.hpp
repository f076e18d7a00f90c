// roster/scoped/resolver.hpp — what a factory is given to resolve its dependencies.
//
// Gives: roster::basic_resolver<Registry>.
// Part of the scoped registry (roster/scoped.hpp, docs/scoped.md); include
// roster/scoped.hpp rather than this file.
#pragma once

#include "roster/config.hpp"
#include "roster/error.hpp"
#include "roster/scoped/context.hpp"
#include "roster/scoped/options.hpp"
#include "roster/source_location.hpp"

#include <memory>      // std::shared_ptr
#include <cstddef>     // std::size_t
#include <string>      // std::string
#include <string_view> // std::string_view
#include <type_traits> // std::is_convertible_v, std::conditional_t, ...
#include <utility>     // std::move, std::forward

ROSTER_BEGIN_NAMESPACE

// ==================================================================== resolver

/// What a factory is given: lookups through the scope that runs it, with the
/// context of the lookup that asked (a fresh factory: the requesting scope
/// and the lookup's context; a shared one: the scope holding it and that
/// scope's context). A factory may take it as its first parameter:
///
///   app.add_factory<Renderer>([](const roster::scoped_registry::resolver& r) {
///       return std::make_shared<Renderer>(r.get<Greeting>());   // through the child that asked
///   });
///
/// @warning valid only while the factory runs: never keep it.
template <class Registry>
class basic_resolver {
public:
    /// As Registry::get, through this scope with this context.
    template <class Kind>
    std::shared_ptr<Kind> get(source_location where = source_location::current()) const {
        return scope_->template find<Kind, false>(typename Registry::request{context_, nullptr, nullptr}, where).value();
    }
    /// As Registry::get with props.
    template <class Kind, class P>
    std::shared_ptr<Kind> get(const props<P>& given, source_location where = source_location::current()) const {
        return scope_
            ->template find<Kind, false>(
                typename Registry::request{context_, &given.value(), &detail::type_tag_of<P>}, where)
            .value();
    }
    /// As Registry::try_get, through this scope with this context.
    template <class Kind>
    result<std::shared_ptr<Kind>> try_get(source_location where = source_location::current()) const {
        return scope_->template find<Kind, true>(typename Registry::request{context_, nullptr, nullptr}, where);
    }
    /// As Registry::try_get with props.
    template <class Kind, class P>
    result<std::shared_ptr<Kind>> try_get(const props<P>& given,
                                          source_location where = source_location::current()) const {
        return scope_->template find<Kind, true>(
            typename Registry::request{context_, &given.value(), &detail::type_tag_of<P>}, where);
    }
    /// As Registry::contains, with this context.
    template <class Kind>
    bool contains() const {
        return scope_->template contains<Kind>(*context_);
    }
    /// The context of the lookup that runs the factory (may be empty).
    const scope_context& context() const noexcept { return *context_; }
    /// `context().as<T>()`.
    template <class T>
    const T* context_as() const {
        return context_->template as<T>();
    }
    /// The scope lookups go through.
    const Registry& scope() const noexcept { return *scope_; }

private:
    friend Registry;
    basic_resolver(const Registry& scope, const scope_context& context) noexcept : scope_(&scope), context_(&context) {}

    const Registry* scope_;
    const scope_context* context_;
};


ROSTER_END_NAMESPACE // namespace roster
