/* lstm_gates.h: the gate pass of the coordinatewise LSTM (network in
 * lstm_kernels.h): i = σ(a_i), j = tanh(a_j), f = σ(a_f + 1), o = σ(a_o),
 * c' = f·c + i·j, h' = tanh(c')·o, and its backward, elementwise over
 * gate planes: the pre-activations of m coordinates as four (m, H) arrays
 * a_i, a_j, a_f, a_o, ps floats apart (ps ≥ m·H), q = m·H cells. */
#ifndef L2L_LSTM_GATES_H
#define L2L_LSTM_GATES_H
#include <stddef.h>

/* c (q) ← c', h (q) ← h' from the pre-activation planes P (scratch:
 * their contents are undefined afterwards). */
void lstm_gates_forward(float *P, size_t ps, float *c, float *h, size_t q);

/* Its backward, recomputing the gates from the same pre-activations:
 * P ← dL/dA planes; cprev (q) the cell state before the step; dh (q) =
 * dL/dh' (after the adjoint of any averaging); dc (q) holds dL/dc' on
 * entry (from step t+1) and dL/dc (for step t−1) on exit. */
void lstm_gates_backward(float *P, size_t ps, const float *cprev, const float *dh, float *dc,
                         size_t q);

/* The same in plain C, one element at a time: the definition of the bits
 * (the vector versions this CPU runs must match them; tests/test_lstm_gates.c). */
void lstm_gates_forward_ref(float *P, size_t ps, float *c, float *h, size_t q);
void lstm_gates_backward_ref(float *P, size_t ps, const float *cprev, const float *dh,
                             float *dc, size_t q);

/* tanh and σ as the gates compute them, for the tests. */
float lstm_tanh(float x);
float lstm_sigmoid(float a);
#endif
