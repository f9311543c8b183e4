#pragma once

#include <utility>
#include <variant>

namespace dust {

// A value or an error, for parsers and decoders that must never throw.
// (std::expected is C++23; this is the small subset the project needs.)
template <typename T, typename E> class Expected
{
public:
    Expected(T value)
        : m_v(std::in_place_index<0>, std::move(value))
    {}
    static Expected failure(E error) { return Expected(std::in_place_index<1>, std::move(error)); }

    bool hasValue() const { return m_v.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    const T &value() const & { return std::get<0>(m_v); }
    T &value() & { return std::get<0>(m_v); }
    T &&value() && { return std::get<0>(std::move(m_v)); }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }
    const T *operator->() const { return &std::get<0>(m_v); }
    T *operator->() { return &std::get<0>(m_v); }

    const E &error() const { return std::get<1>(m_v); }

private:
    template <std::size_t I, typename A>
    Expected(std::in_place_index_t<I> tag, A &&a)
        : m_v(tag, std::forward<A>(a))
    {}
    std::variant<T, E> m_v;
};

} // namespace dust
