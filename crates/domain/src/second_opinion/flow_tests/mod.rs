//! Tests of the case flow's services against mocks of the ports.
