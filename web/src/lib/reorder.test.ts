import { describe, expect, it } from 'vitest'
import { moveItem, positionUpdates } from './reorder'

const m = (id: string, position: number) => ({ id, position })

describe('moveItem', () => {
  it('moves down and up, leaving the input alone', () => {
    const xs = ['a', 'b', 'c', 'd']
    expect(moveItem(xs, 0, 2)).toEqual(['b', 'c', 'a', 'd'])
    expect(moveItem(xs, 3, 0)).toEqual(['d', 'a', 'b', 'c'])
    expect(xs).toEqual(['a', 'b', 'c', 'd'])
  })

  it('clamps the target and ignores a source out of range', () => {
    expect(moveItem(['a', 'b'], 0, 9)).toEqual(['b', 'a'])
    expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b'])
  })
})

describe('positionUpdates', () => {
  it('saves only the members that moved', () => {
    const before = [m('a', 0), m('b', 1), m('c', 2), m('d', 3)]
    expect(positionUpdates(moveItem(before, 2, 0))).toEqual([
      { id: 'c', position: 0 },
      { id: 'a', position: 1 },
      { id: 'b', position: 2 },
    ])
  })

  it('closes gaps and ties left by earlier edits', () => {
    expect(positionUpdates([m('a', 0), m('b', 0), m('c', 7)])).toEqual([
      { id: 'b', position: 1 },
      { id: 'c', position: 2 },
    ])
  })

  it('has nothing to save when the order is unchanged', () => {
    expect(positionUpdates([m('a', 0), m('b', 1)])).toEqual([])
  })
})
