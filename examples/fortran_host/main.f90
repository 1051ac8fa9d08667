! A Fortran program that calls kernels translated from Python, with no Python at run time.
!
! Build (see build.sh): `py2omp build ../saxpy.py --target host-offload --emit f90 -o OUT` and the
! same for dot.py and matmul.py, then compile OUT/*.f90 and this file. Each check compares with
! Fortran's own computation, so wrong data movement on a device with separate memory fails it.
program fortran_host
  use, intrinsic :: iso_c_binding, only: c_double, c_float, c_int64_t
  use py2omp_saxpy, only: saxpy
  use py2omp_dot, only: dot
  use py2omp_matmul, only: c_matmul => matmul
  implicit none
  integer(c_int64_t), parameter :: n = 1000, m = 7, k = 5, p = 3
  logical :: ok

  ok = check_saxpy()
  ok = check_dot() .and. ok
  ok = check_matmul() .and. ok
  if (ok) then
    print '(a)', 'fortran_host: all results correct'
  else
    print '(a)', 'fortran_host: WRONG RESULTS'
    error stop 1
  end if

contains

  logical function report(what, got, want)
    character(*), intent(in) :: what
    real(c_double), intent(in) :: got, want
    report = abs(got - want) <= 1e-9_c_double * (1 + abs(want))
    print '(a, 1x, a, ": got ", f0.6, ", expected ", f0.6)', what, trim(merge('ok    ', 'FAILED', report)), got, want
  end function report

  logical function check_saxpy()
    real(c_float) :: x(n), y(n)
    integer :: i
    x = [(real(i - 1, c_float), i = 1, n)]
    y = 1
    call saxpy(2.0_c_float, x, n, y, n)
    check_saxpy = report('saxpy', real(y(n), c_double), 2.0_c_double * (n - 1) + 1) &
        .and. all(y == 2 * x + 1)
  end function check_saxpy

  logical function check_dot()
    real(c_double) :: x(n), y(n)
    integer :: i
    x = [(0.5_c_double * (i - 1), i = 1, n)]
    y = 2
    check_dot = report('dot', dot(x, n, y, n), sum(x * y))
  end function check_dot

  ! Fortran is column-major: the C array a[m][k] is the Fortran array a(k, m), so the C product
  ! c = a b is, in Fortran terms, ct = bt at on the transposed arrays.
  logical function check_matmul()
    real(c_double) :: at(k, m), bt(p, k), ct(p, m)
    integer :: i, j
    do i = 1, m
      do j = 1, k
        at(j, i) = (i - 1) + 0.1_c_double * (j - 1)
      end do
    end do
    do i = 1, k
      do j = 1, p
        bt(j, i) = (i - 1) - (j - 1)
      end do
    end do
    call c_matmul(at, m, k, bt, k, p, ct, m, p)
    check_matmul = report('matmul', sum(ct), sum(matmul(bt, at))) &
        .and. maxval(abs(ct - matmul(bt, at))) <= 1e-12_c_double
  end function check_matmul
end program fortran_host
