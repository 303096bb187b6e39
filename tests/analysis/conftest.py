"""One thread for the analysis tests: on a shared or loaded machine two threads spin."""

import torch

torch.set_num_threads(1)
