/* A loadable module that is not a strata driver: the loader must say so. */
int strata_fixture_not_a_driver(void);

int strata_fixture_not_a_driver(void)
{
	return 42;
}
