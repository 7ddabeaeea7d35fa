from select import *
