/* broken_nosym.c: a test-only shared object that loads fine but exports
 * no plugin vtable (neither l2l_optimizer nor l2l_optimizee). */
int l2l_not_a_plugin(void);

int l2l_not_a_plugin(void)
{
    return 42;
}
