#include "config.h"
#include "unit.h"
CU_TestInfo kw_tests[] = { CU_TEST_INFO_NULL };
