#include "config.h"
#include "unit.h"
CU_TestInfo acl_tests[] = { CU_TEST_INFO_NULL };
