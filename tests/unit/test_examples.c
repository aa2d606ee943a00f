#include "config.h"
#include "unit.h"
CU_TestInfo examples_tests[] = { CU_TEST_INFO_NULL };
