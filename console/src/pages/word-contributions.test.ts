import { describe, expect, it } from 'vitest';
import { contributionsView, highlightedText, wordScores } from './word-contributions.js';

const explanation = {
  prdtypecode: 2583,
  category: 'Piscine et accessoires',
  up: [
    { term: 'Piscine', feature: 'piscine', contribution: 1.2 },
    { term: 'pompe de filtration', feature: 'pompe filtration', contribution: 0.4 },
  ],
  down: [{ term: 'Livre', feature: 'livre', contribution: -0.6 }],
};

describe('word contributions', () => {
  it('splits a two-word term between its words', () => {
    expect(wordScores(explanation)).toEqual(
      new Map([
        ['piscine', 1.2],
        ['pompe', 0.2],
        ['filtration', 0.2],
        ['livre', -0.6],
      ]),
    );
  });

  it('marks words by direction and binned strength, case and accents as typed, the rest escaped', () => {
    const marked = highlightedText('PISCINE <b> & livre, pompe', wordScores(explanation), 'Piscine').value;
    expect(marked).toContain(
      '<mark class="word-up-3" tabindex="0" title="+1.20 towards Piscine">PISCINE<span',
    );
    expect(marked).toContain('<mark class="word-down-2" tabindex="0" title="−0.60 away from Piscine">livre');
    expect(marked).toContain('<mark class="word-up-1"');
    expect(marked).toContain('&lt;b&gt; &amp; ');
    expect(marked).not.toContain('style=');
  });

  it('has a legend and the terms as a table', () => {
    const view = contributionsView({ designation: 'Piscine', description: '' }, explanation).value;
    expect(view).toContain('class="legend"');
    expect(view).toContain('<td>pompe de filtration</td><td class="num">+0.40</td>');
    expect(view).not.toContain('highlighted-description');
  });
});
