// RankedSet: an ordered set (the subset of std::set the Router uses) that also answers "how many
// elements are less than this key" in O(log n). The Router tells every queued contact its
// position in the queue; counting that by walking a std::set cost O(queue length) per decision
// (issue #6). Each node here keeps the size of its subtree, so the count is one descent.
//
// The tree is an AVL tree: deterministic shape (no random priorities, so two runs of the
// Router do the same work) and a depth of at most about 1.44 log2(n). Iteration order and
// results are those of std::set with the same ordering.
//
// Node handles (node_type, extract, insert(node_type&&)) behave like std::set's, so that
// NodeRecycler reuses nodes between sets and steady-state routing allocates nothing.
//
// Iterators are forward only (nothing needs to walk backwards); they stay valid until their
// element is erased, also when the set is moved. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <utility>

namespace wissel::core {

template <typename Key, typename Less = std::less<Key>>
class RankedSet {
  struct Node {
    explicit Node(Key k) : key(std::move(k)) {}
    Key key;
    Node* parent = nullptr;
    Node* left = nullptr;
    Node* right = nullptr;
    // Elements in the subtree rooted here, this one included.
    uint32_t size = 1;
    int32_t height = 1;
  };

 public:
  using value_type = Key;
  using key_type = Key;
  using size_type = std::size_t;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Key;
    using difference_type = std::ptrdiff_t;
    using pointer = const Key*;
    using reference = const Key&;

    const_iterator() = default;
    const Key& operator*() const { return node_->key; }
    const Key* operator->() const { return &node_->key; }
    const_iterator& operator++() {
      node_ = Successor(node_);
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& o) const { return node_ == o.node_; }

   private:
    friend class RankedSet;
    explicit const_iterator(Node* n) : node_(n) {}
    Node* node_ = nullptr;  // nullptr: end()
  };
  using iterator = const_iterator;

  // Owns one node outside any set, like std::set::node_type.
  class node_type {
   public:
    node_type() = default;
    node_type(node_type&& o) noexcept : node_(std::exchange(o.node_, nullptr)) {}
    node_type& operator=(node_type&& o) noexcept {
      if (this != &o) {
        delete node_;
        node_ = std::exchange(o.node_, nullptr);
      }
      return *this;
    }
    ~node_type() { delete node_; }
    bool empty() const { return node_ == nullptr; }
    explicit operator bool() const { return node_ != nullptr; }
    Key& value() const { return node_->key; }

   private:
    friend class RankedSet;
    explicit node_type(Node* n) : node_(n) {}
    Node* node_ = nullptr;
  };

  struct insert_return_type {
    iterator position;
    bool inserted = false;
    node_type node;  // the node given back when an equal key was there
  };

  RankedSet() = default;
  RankedSet(const RankedSet&) = delete;
  RankedSet& operator=(const RankedSet&) = delete;
  RankedSet(RankedSet&& o) noexcept
      : root_(std::exchange(o.root_, nullptr)), first_(std::exchange(o.first_, nullptr)) {}
  RankedSet& operator=(RankedSet&& o) noexcept {
    if (this != &o) {
      clear();
      root_ = std::exchange(o.root_, nullptr);
      first_ = std::exchange(o.first_, nullptr);
    }
    return *this;
  }
  ~RankedSet() { clear(); }

  const_iterator begin() const { return const_iterator(first_); }
  const_iterator end() const { return const_iterator(); }
  size_type size() const { return SizeOf(root_); }
  bool empty() const { return root_ == nullptr; }

  void clear() {
    Destroy(root_);
    root_ = first_ = nullptr;
  }

  const_iterator find(const Key& key) const {
    Node* n = root_;
    while (n != nullptr) {
      if (less_(key, n->key)) {
        n = n->left;
      } else if (less_(n->key, key)) {
        n = n->right;
      } else {
        return const_iterator(n);
      }
    }
    return end();
  }

  // The number of elements less than `key` (whether or not `key` is in the set): the 0-based
  // index `key` has or would have in iteration order.
  size_type CountLess(const Key& key) const {
    size_type count = 0;
    for (Node* n = root_; n != nullptr;) {
      if (less_(n->key, key)) {
        count += SizeOf(n->left) + 1;
        n = n->right;
      } else {
        n = n->left;
      }
    }
    return count;
  }

  std::pair<iterator, bool> insert(const Key& key) {
    insert_return_type r = insert(node_type(new Node(key)));
    return {r.position, r.inserted};
  }

  // Inserts the node's element unless an equal one is there, in which case the node is given
  // back in the result. An empty node inserts nothing.
  insert_return_type insert(node_type&& nh) {
    insert_return_type r;
    if (nh.empty()) return r;
    Node* z = nh.node_;
    Node* parent = nullptr;
    bool left = false;
    bool leftmost = true;  // only left turns so far: z becomes the first element
    for (Node* n = root_; n != nullptr;) {
      parent = n;
      if (less_(z->key, n->key)) {
        left = true;
        n = n->left;
      } else if (less_(n->key, z->key)) {
        left = false;
        leftmost = false;
        n = n->right;
      } else {
        r.position = const_iterator(n);
        r.node = std::move(nh);
        return r;
      }
    }
    nh.node_ = nullptr;
    z->parent = parent;
    z->left = z->right = nullptr;
    z->size = 1;
    z->height = 1;
    if (parent == nullptr) {
      root_ = z;
    } else if (left) {
      parent->left = z;
    } else {
      parent->right = z;
    }
    if (leftmost) first_ = z;
    Rebalance(parent);
    r.position = const_iterator(z);
    r.inserted = true;
    return r;
  }

  // Unlinks the element at `it` (dereferenceable) and hands over its node.
  node_type extract(const_iterator it) {
    Node* z = it.node_;
    if (z == first_) first_ = Successor(z);
    Node* rebalance_from;
    if (z->left == nullptr) {
      rebalance_from = z->parent;
      Transplant(z, z->right);
    } else if (z->right == nullptr) {
      rebalance_from = z->parent;
      Transplant(z, z->left);
    } else {
      // Two children: the successor `y` (leftmost of the right subtree) takes z's place.
      Node* y = z->right;
      while (y->left != nullptr) y = y->left;
      if (y->parent != z) {
        rebalance_from = y->parent;
        Transplant(y, y->right);
        y->right = z->right;
        y->right->parent = y;
      } else {
        rebalance_from = y;
      }
      Transplant(z, y);
      y->left = z->left;
      y->left->parent = y;
    }
    Rebalance(rebalance_from);
    z->parent = z->left = z->right = nullptr;
    return node_type(z);
  }

  size_type erase(const Key& key) {
    const_iterator it = find(key);
    if (it == end()) return 0;
    extract(it);  // the returned handle frees the node
    return 1;
  }

  // Checks the structure (order, parent links, sizes, heights, balance, first element); for
  // tests.
  bool Valid() const {
    if (root_ != nullptr && root_->parent != nullptr) return false;
    Node* first = root_;
    while (first != nullptr && first->left != nullptr) first = first->left;
    if (first != first_) return false;
    return ValidSubtree(root_, nullptr, nullptr);
  }

 private:
  static uint32_t SizeOf(const Node* n) { return n == nullptr ? 0 : n->size; }
  static int32_t HeightOf(const Node* n) { return n == nullptr ? 0 : n->height; }

  static Node* Successor(Node* n) {
    if (n->right != nullptr) {
      n = n->right;
      while (n->left != nullptr) n = n->left;
      return n;
    }
    while (n->parent != nullptr && n->parent->right == n) n = n->parent;
    return n->parent;
  }

  static void Update(Node* n) {
    n->size = SizeOf(n->left) + SizeOf(n->right) + 1;
    n->height = std::max(HeightOf(n->left), HeightOf(n->right)) + 1;
  }

  // Puts `v` (possibly null) where `u` hangs.
  void Transplant(Node* u, Node* v) {
    if (u->parent == nullptr) {
      root_ = v;
    } else if (u->parent->left == u) {
      u->parent->left = v;
    } else {
      u->parent->right = v;
    }
    if (v != nullptr) v->parent = u->parent;
  }

  void RotateLeft(Node* x) {
    Node* y = x->right;
    x->right = y->left;
    if (y->left != nullptr) y->left->parent = x;
    Transplant(x, y);
    y->left = x;
    x->parent = y;
    Update(x);
    Update(y);
  }

  void RotateRight(Node* x) {
    Node* y = x->left;
    x->left = y->right;
    if (y->right != nullptr) y->right->parent = x;
    Transplant(x, y);
    y->right = x;
    x->parent = y;
    Update(x);
    Update(y);
  }

  // Restores sizes, heights and balance from `n` up to the root. Sizes change on the whole
  // path, so the walk always goes to the root: O(log n).
  void Rebalance(Node* n) {
    while (n != nullptr) {
      Update(n);
      const int32_t balance = HeightOf(n->left) - HeightOf(n->right);
      if (balance > 1) {
        if (HeightOf(n->left->left) < HeightOf(n->left->right)) RotateLeft(n->left);
        RotateRight(n);
        n = n->parent;  // the subtree's new root, already updated
      } else if (balance < -1) {
        if (HeightOf(n->right->right) < HeightOf(n->right->left)) RotateRight(n->right);
        RotateLeft(n);
        n = n->parent;
      }
      n = n->parent;
    }
  }

  // Depth is logarithmic, so recursion is bounded.
  static void Destroy(Node* n) {
    if (n == nullptr) return;
    Destroy(n->left);
    Destroy(n->right);
    delete n;
  }

  bool ValidSubtree(const Node* n, const Node* low, const Node* high) const {
    if (n == nullptr) return true;
    if (low != nullptr && !less_(low->key, n->key)) return false;
    if (high != nullptr && !less_(n->key, high->key)) return false;
    if (n->left != nullptr && n->left->parent != n) return false;
    if (n->right != nullptr && n->right->parent != n) return false;
    if (n->size != SizeOf(n->left) + SizeOf(n->right) + 1) return false;
    if (n->height != std::max(HeightOf(n->left), HeightOf(n->right)) + 1) return false;
    if (std::abs(HeightOf(n->left) - HeightOf(n->right)) > 1) return false;
    return ValidSubtree(n->left, low, n) && ValidSubtree(n->right, n, high);
  }

  Node* root_ = nullptr;
  Node* first_ = nullptr;  // the leftmost node, so that begin() is O(1) as in std::set
  [[no_unique_address]] Less less_;
};

}  // namespace wissel::core
